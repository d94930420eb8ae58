using System.Globalization;

namespace HeavyJobs.Whois.Client;

/// <summary>A TCP endpoint to open for a WHOIS server name.</summary>
/// <param name="Host">Host name or IP address literal.</param>
/// <param name="Port">TCP port; RFC 3912 servers listen on 43.</param>
public sealed record WhoisEndpoint(string Host, int Port = WhoisEndpoint.DefaultPort)
{
    /// <summary>The RFC 3912 port.</summary>
    public const int DefaultPort = 43;

    /// <summary>Parses <c>host</c>, <c>host:port</c> or <c>[v6-address]:port</c>.</summary>
    public static WhoisEndpoint Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var value = text.Trim();
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
                throw new FormatException($"Unterminated IPv6 literal in WHOIS endpoint '{text}'.");
            var host = value[1..close];
            var rest = value[(close + 1)..];
            return rest.Length == 0 ? new WhoisEndpoint(host) : new WhoisEndpoint(host, ParsePort(rest.TrimStart(':'), text));
        }

        // More than one colon without brackets is a bare IPv6 address, not host:port.
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || value.IndexOf(':', colon + 1) >= 0)
            return new WhoisEndpoint(value);
        return new WhoisEndpoint(value[..colon], ParsePort(value[(colon + 1)..], text));
    }

    /// <inheritdoc />
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    private static int ParsePort(string port, string original)
    {
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 65535)
            throw new FormatException($"Invalid port in WHOIS endpoint '{original}'.");
        return value;
    }
}
