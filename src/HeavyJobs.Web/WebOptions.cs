namespace HeavyJobs.Web;

/// <summary>How the dashboard listens, who may use it, and how much it shows at once.</summary>
public sealed class WebOptions
{
    /// <summary>Where to listen, separated by ';'. Any address other than loopback requires <see cref="Users"/>.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>
    /// Who may sign in. Empty means no authentication, which is allowed only on loopback: everyone who can
    /// reach the port is then an operator named <see cref="LocalUserName"/>.
    /// </summary>
    public IReadOnlyList<WebUser> Users { get; set; } = [];

    /// <summary>
    /// Host names, beyond the loopback ones, that the dashboard answers to (as in the browser's address bar, without
    /// scheme or port; "*.example.com" takes every subdomain). Any other Host header gets 400 on every path, so a
    /// page whose name an attacker points at this machine (DNS rebinding) cannot read or change anything. Listening
    /// beyond loopback needs at least one; "*" answers any name and needs <see cref="Users"/>.
    /// </summary>
    public IReadOnlyList<string> AllowedHosts { get; set; } = [];

    /// <summary>The actor name used in the action log when authentication is off.</summary>
    public string LocalUserName { get; set; } = "local";

    /// <summary>The most rows any page or API call returns.</summary>
    public int MaxPageSize { get; set; } = 500;

    /// <summary>Rows per page when the caller names no limit.</summary>
    public int DefaultPageSize { get; set; } = 100;

    /// <summary>
    /// The most chunks one bulk request (POST /api/chunks/reset or /release with a list of ids) may name; more
    /// is refused with 400 naming this limit. The default value is 100.
    /// </summary>
    public int MaxBulkChunks { get; set; } = 100;

    /// <summary>The largest request body accepted, in bytes; a larger one gets 413 naming this limit. The default value is 64 KiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How often the pages poll the JSON API.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Metrics are read from the store at most this often, however often Prometheus scrapes.</summary>
    public TimeSpan MetricsRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A machine whose monitor heartbeat is older than this is shown as down.</summary>
    public TimeSpan MachineUpWithin { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether every read recounts chunks first instead of reading the roll-ups the fleet's manager keeps (every
    /// <c>HeavyJobs:Manager:RollupInterval</c>): exact and slow, for tests and small stores run without a manager.
    /// The default value is false.
    /// </summary>
    public bool RecountOnRead { get; set; }

    /// <summary>Whether /metrics needs the same sign-in as the pages (Prometheus can send a bearer token).</summary>
    public bool MetricsRequireAuthentication { get; set; } = true;

    public bool AuthenticationEnabled => Users.Count > 0;

    internal int Page(int? limit) => Math.Clamp(limit ?? DefaultPageSize, 1, MaxPageSize);
}
