using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;

namespace HeavyJobs.Web.Tests;

/// <summary>
/// The real dashboard on 127.0.0.1 with a free port, over a real SQLite store in a temporary folder, seeded; or over
/// a store someone else owns (<see cref="StartOnAsync"/>), such as the one a real monitor runs on.
/// </summary>
internal sealed class DashboardHost : IAsyncDisposable
{
    private readonly string? _dir;
    private readonly WebApplication _app;
    private readonly Seeded? _seeded;

    private DashboardHost(string? dir, IHeavyStore store, WebApplication app, Seeded? seeded)
    {
        _dir = dir;
        Store = store;
        _app = app;
        _seeded = seeded;
        BaseUrl = app.Urls.Single().TrimEnd('/');
    }

    public IHeavyStore Store { get; }

    public Seeded Seeded => _seeded ?? throw new InvalidOperationException("This dashboard runs on a store it did not seed.");

    public string BaseUrl { get; }

    /// <summary>The running app's services: its EndpointDataSource lists every endpoint it serves.</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<DashboardHost> StartAsync(bool authentication = true, IReadOnlyList<string>? allowedHosts = null, TimeProvider? time = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("heavyjobs-web-").FullName;
        var store = new SqliteStore(Path.Combine(dir, "heavyjobs.db"));
        await store.MigrateAsync(ct);
        var seeded = await Seed.RunAsync(store, TimeProvider.System, ct);
        return new DashboardHost(dir, store, await StartAppAsync(store, authentication, ct, allowedHosts, time), seeded);
    }

    /// <summary>The dashboard over a store the caller owns and disposes, signed in as the test users.</summary>
    public static async Task<DashboardHost> StartOnAsync(IHeavyStore store) =>
        new(null, store, await StartAppAsync(store, authentication: true, TestContext.Current.CancellationToken), null);

    private static async Task<WebApplication> StartAppAsync(IHeavyStore store, bool authentication, CancellationToken ct, IReadOnlyList<string>? allowedHosts = null, TimeProvider? time = null)
    {
        var options = new WebOptions
        {
            Urls = "http://127.0.0.1:0",
            Users = authentication ? Users.All : [],
            AllowedHosts = allowedHosts ?? [],
            RefreshInterval = TimeSpan.FromMilliseconds(500),
            MetricsRefreshInterval = TimeSpan.Zero,
            RecountOnRead = true,
        };
        var app = HeavyJobsWeb.Build(store, options, time ?? TimeProvider.System);
        await app.StartAsync(ct);
        return app;
    }

    /// <summary>A client with its own cookie jar, signed in by HTTP Basic as the given user (or anonymous).</summary>
    public HttpClient Client(string? user = null, string? password = null)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(BaseUrl),
        };
        if (user is not null)
        {
            client.DefaultRequestHeaders.Authorization =
                new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        if (_dir is null)
        {
            return;
        }

        await Store.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless.
        }
    }
}
