using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HeavyJobs.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;

namespace HeavyJobs.Web.Tests;

/// <summary>The real dashboard on 127.0.0.1 with a free port, over a real SQLite store in a temporary folder, seeded.</summary>
internal sealed class DashboardHost : IAsyncDisposable
{
    private readonly string _dir;
    private readonly WebApplication _app;

    private DashboardHost(string dir, SqliteStore store, WebApplication app, Seeded seeded)
    {
        _dir = dir;
        Store = store;
        _app = app;
        Seeded = seeded;
        BaseUrl = app.Urls.Single().TrimEnd('/');
    }

    public SqliteStore Store { get; }

    public Seeded Seeded { get; }

    public string BaseUrl { get; }

    public static async Task<DashboardHost> StartAsync(bool authentication = true)
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("heavyjobs-web-").FullName;
        var store = new SqliteStore(Path.Combine(dir, "heavyjobs.db"));
        await store.MigrateAsync(ct);
        var seeded = await Seed.RunAsync(store, TimeProvider.System, ct);
        var options = new WebOptions
        {
            Urls = "http://127.0.0.1:0",
            Users = authentication ? Users.All : [],
            RefreshInterval = TimeSpan.FromMilliseconds(500),
            MetricsRefreshInterval = TimeSpan.Zero,
        };
        var app = HeavyJobsWeb.Build(store, options, TimeProvider.System);
        await app.StartAsync(ct);
        return new DashboardHost(dir, store, app, seeded);
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
