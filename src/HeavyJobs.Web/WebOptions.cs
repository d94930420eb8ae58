namespace HeavyJobs.Web;

/// <summary>How the dashboard listens, who may use it, and how much it shows at once.</summary>
public sealed class WebOptions
{
    /// <summary>Where to listen, separated by ';'. Any address other than loopback requires <see cref="Users"/>.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    /// <summary>
    /// Who may sign in. Empty means no authentication, which is allowed only on loopback: everyone who can
    /// reach the port is then an operator named <see cref="LocalUserName"/>.
    /// </summary>
    public IReadOnlyList<WebUser> Users { get; init; } = [];

    /// <summary>
    /// Host names, beyond the loopback ones, that the dashboard answers to (as in the browser's address bar, without
    /// scheme or port; "*.example.com" takes every subdomain). Any other Host header gets 400 on every path, so a
    /// page whose name an attacker points at this machine (DNS rebinding) cannot read or change anything. Listening
    /// beyond loopback needs at least one; "*" answers any name and needs <see cref="Users"/>.
    /// </summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>The actor name used in the action log when authentication is off.</summary>
    public string LocalUserName { get; init; } = "local";

    /// <summary>The most rows any page or API call returns.</summary>
    public int MaxPageSize { get; init; } = 500;

    /// <summary>Rows per page when the caller names no limit.</summary>
    public int DefaultPageSize { get; init; } = 100;

    /// <summary>How often the pages poll the JSON API.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Metrics are read from the store at most this often, however often Prometheus scrapes.</summary>
    public TimeSpan MetricsRefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A machine whose monitor heartbeat is older than this is shown as down.</summary>
    public TimeSpan MachineUpWithin { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often chunk counts per job, stage and state are recounted, and closed hours of throughput folded, for the
    /// pages: counting a million chunks takes a while, so pages read the last count and say how old it is. A recount
    /// that takes long is repeated no more often than ten times its duration. Zero recounts before every read (tests).
    /// </summary>
    public TimeSpan RollupInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether /metrics needs the same sign-in as the pages (Prometheus can send a bearer token).</summary>
    public bool MetricsRequireAuthentication { get; init; } = true;

    public bool AuthenticationEnabled => Users.Count > 0;

    internal int Page(int? limit) => Math.Clamp(limit ?? DefaultPageSize, 1, MaxPageSize);
}
