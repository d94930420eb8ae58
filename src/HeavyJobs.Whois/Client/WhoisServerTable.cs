using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HeavyJobs.Whois.Client;

/// <summary>
/// Maps a domain suffix (TLD or registry second level such as <c>co.uk</c>) to its registry WHOIS server name,
/// and a server name to the TCP endpoint to open. Immutable: the <c>With…</c> methods return a new table,
/// so one instance can be shared by concurrent clients.
/// </summary>
public sealed class WhoisServerTable
{
    private readonly FrozenDictionary<string, string> _servers;
    private readonly FrozenDictionary<string, WhoisEndpoint> _endpoints;

    private WhoisServerTable(
        IEnumerable<KeyValuePair<string, string>> servers,
        IEnumerable<KeyValuePair<string, WhoisEndpoint>> endpoints,
        bool requireExplicitEndpoints)
    {
        // Later duplicates win, so a JSON file may list "COM" and "com" without failing.
        _servers = Overlay([], servers.Select(p => new KeyValuePair<string, string>(p.Key, NormalizeServerName(p.Value))), NormalizeSuffix)
            .ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _endpoints = Overlay([], endpoints, NormalizeServerName).ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        RequireExplicitEndpoints = requireExplicitEndpoints;
    }

    /// <summary>The shipped table: registry servers for the common TLDs, every server on port 43 of its own name.</summary>
    public static WhoisServerTable Default { get; } = new(WhoisDefaultServers.Entries, [], requireExplicitEndpoints: false);

    /// <summary>A table with no entries, to build a fully custom one.</summary>
    public static WhoisServerTable Empty { get; } = new([], [], requireExplicitEndpoints: false);

    /// <summary>Suffix (without leading dot, lower case) → registry WHOIS server name.</summary>
    public IReadOnlyDictionary<string, string> Servers => _servers;

    /// <summary>Server name → endpoint overrides; names not listed resolve to <c>name:43</c>.</summary>
    public IReadOnlyDictionary<string, WhoisEndpoint> Endpoints => _endpoints;

    /// <summary>
    /// When set, <see cref="ResolveEndpoint"/> refuses names without an explicit endpoint instead of falling back
    /// to DNS. Tables pointing at a local server set it so that a missing mapping can never reach the internet.
    /// </summary>
    public bool RequireExplicitEndpoints { get; }

    /// <summary>
    /// The registry server for <paramref name="domain"/>, by the longest listed suffix
    /// (so <c>example.co.uk</c> prefers a <c>co.uk</c> entry over <c>uk</c>); null when no suffix is listed.
    /// </summary>
    public string? FindServerForDomain(string domain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        var name = NormalizeSuffix(domain);
        for (var start = 0; start >= 0 && start < name.Length; start = NextLabel(name, start))
        {
            if (_servers.TryGetValue(name[start..], out var server))
                return server;
        }

        return null;
    }

    /// <summary>The registry server listed for exactly this suffix, or null.</summary>
    public string? FindServerForSuffix(string suffix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(suffix);
        return _servers.GetValueOrDefault(NormalizeSuffix(suffix));
    }

    /// <summary>
    /// The endpoint to open for <paramref name="serverName"/>: the explicit mapping if any, otherwise the name itself
    /// (a <c>host:port</c> name, as found in some referrals, keeps its port) on port 43.
    /// </summary>
    /// <exception cref="InvalidOperationException">No mapping and <see cref="RequireExplicitEndpoints"/> is set.</exception>
    public WhoisEndpoint ResolveEndpoint(string serverName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serverName);
        var name = NormalizeServerName(serverName);
        if (_endpoints.TryGetValue(name, out var endpoint))
            return endpoint;
        if (RequireExplicitEndpoints)
            throw new InvalidOperationException($"WHOIS server '{name}' has no endpoint in this table and the table requires explicit endpoints.");
        return WhoisEndpoint.Parse(name);
    }

    /// <summary>Whether <see cref="ResolveEndpoint"/> would succeed for this name.</summary>
    public bool CanResolve(string serverName) =>
        !RequireExplicitEndpoints || _endpoints.ContainsKey(NormalizeServerName(serverName));

    /// <summary>Adds or replaces the registry server of one suffix.</summary>
    public WhoisServerTable WithServer(string suffix, string serverName) =>
        WithServers([new KeyValuePair<string, string>(suffix, serverName)]);

    /// <summary>Adds or replaces registry servers of several suffixes.</summary>
    public WhoisServerTable WithServers(IEnumerable<KeyValuePair<string, string>> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        return new WhoisServerTable(Overlay(_servers, servers, NormalizeSuffix), _endpoints, RequireExplicitEndpoints);
    }

    /// <summary>Points a server name at an endpoint, e.g. <c>whois.verisign-grs.com</c> at <c>127.0.0.1:4301</c>.</summary>
    public WhoisServerTable WithEndpoint(string serverName, WhoisEndpoint endpoint) =>
        WithEndpoints([new KeyValuePair<string, WhoisEndpoint>(serverName, endpoint)]);

    /// <summary>Points several server names at endpoints.</summary>
    public WhoisServerTable WithEndpoints(IEnumerable<KeyValuePair<string, WhoisEndpoint>> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return new WhoisServerTable(_servers, Overlay(_endpoints, endpoints, NormalizeServerName), RequireExplicitEndpoints);
    }

    /// <summary>Returns a copy with <see cref="RequireExplicitEndpoints"/> set as given.</summary>
    public WhoisServerTable WithRequireExplicitEndpoints(bool required) => new(_servers, _endpoints, required);

    /// <summary>Overlays <paramref name="overrides"/> on this table: its entries win, its flag is or-ed in.</summary>
    public WhoisServerTable Merge(WhoisServerTable overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        return new WhoisServerTable(
            Overlay(_servers, overrides._servers, NormalizeSuffix),
            Overlay(_endpoints, overrides._endpoints, NormalizeServerName),
            RequireExplicitEndpoints || overrides.RequireExplicitEndpoints);
    }

    /// <summary>
    /// Reads a table from JSON: <c>{"servers": {"com": "whois.verisign-grs.com"}, "endpoints": {"whois.verisign-grs.com": "127.0.0.1:4301"},
    /// "requireExplicitEndpoints": false}</c>. Every member is optional; merge the result onto <see cref="Default"/> to extend it.
    /// </summary>
    public static async Task<WhoisServerTable> LoadJsonAsync(Stream json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(json);
        var document = await JsonSerializer.DeserializeAsync(json, WhoisServerTableJsonContext.Default.TableDocument, cancellationToken)
            ?? throw new FormatException("The WHOIS server table JSON is empty.");
        var endpoints = (document.Endpoints ?? []).Select(p => new KeyValuePair<string, WhoisEndpoint>(p.Key, WhoisEndpoint.Parse(p.Value)));
        return new WhoisServerTable(document.Servers ?? [], endpoints, document.RequireExplicitEndpoints);
    }

    /// <summary>Reads a table from a JSON file; see <see cref="LoadJsonAsync"/>.</summary>
    public static async Task<WhoisServerTable> LoadJsonFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
        return await LoadJsonAsync(stream, cancellationToken);
    }

    /// <summary>Writes the table in the format read by <see cref="LoadJsonAsync"/>.</summary>
    public Task SaveJsonAsync(Stream json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(json);
        var document = new TableDocument
        {
            Servers = _servers.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value),
            Endpoints = _endpoints.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value.ToString()),
            RequireExplicitEndpoints = RequireExplicitEndpoints,
        };
        return JsonSerializer.SerializeAsync(json, document, WhoisServerTableJsonContext.Default.TableDocument, cancellationToken);
    }

    internal static string NormalizeServerName(string name) => name.Trim().TrimEnd('.').ToLowerInvariant();

    private static string NormalizeSuffix(string suffix) => suffix.Trim().Trim('.').ToLowerInvariant();

    private static int NextLabel(string name, int start)
    {
        var dot = name.IndexOf('.', start);
        return dot < 0 ? -1 : dot + 1;
    }

    private static Dictionary<string, TValue> Overlay<TValue>(
        IEnumerable<KeyValuePair<string, TValue>> baseEntries,
        IEnumerable<KeyValuePair<string, TValue>> overrides,
        Func<string, string> normalizeKey)
    {
        var result = new Dictionary<string, TValue>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in baseEntries)
            result[normalizeKey(key)] = value;
        foreach (var (key, value) in overrides)
            result[normalizeKey(key)] = value;
        return result;
    }

}

/// <summary>A server table as its JSON file holds it; see <see cref="WhoisServerTable.LoadJsonAsync"/>.</summary>
internal sealed class TableDocument
{
    public Dictionary<string, string>? Servers { get; set; }

    public Dictionary<string, string>? Endpoints { get; set; }

    public bool RequireExplicitEndpoints { get; set; }
}

/// <summary>The table's file format, written by generated code so that a trimmed build keeps it.</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(TableDocument))]
internal sealed partial class WhoisServerTableJsonContext : JsonSerializerContext;
