using System.Net;

namespace HeavyJobs.Web.Security;

/// <summary>Decides whether every address the dashboard listens on is reachable from this machine only.</summary>
internal static class ListenAddresses
{
    public static IReadOnlyList<string> Split(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Every address the app will listen on: the urls it was given and any Kestrel endpoints configured.</summary>
    public static IReadOnlyList<string> Configured(string urls, IConfiguration configuration) =>
        Split(configuration["urls"] ?? urls)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>())
            .ToList();

    /// <summary>The addresses among <paramref name="urls"/> that other machines could reach.</summary>
    public static IReadOnlyList<string> NonLoopback(IEnumerable<string> urls) => urls.Where(u => !IsLoopback(u)).ToList();

    public static bool IsLoopback(string url)
    {
        var host = HostOf(url);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // "*", "+", "0.0.0.0", "[::]" and any name or address that is not loopback count as reachable.
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>The host part of a listen address: "127.0.0.1", "[::1]", "*", a name.</summary>
    public static string HostOf(string url)
    {
        var rest = url;
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            rest = rest[(scheme + 3)..];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            rest = rest[..slash];
        }

        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? rest[..(close + 1)] : rest;
        }

        var colon = rest.LastIndexOf(':');
        return colon >= 0 ? rest[..colon] : rest;
    }
}
