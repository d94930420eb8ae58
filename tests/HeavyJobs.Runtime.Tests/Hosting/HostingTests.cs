using HeavyJobs.Core.Handlers;
using HeavyJobs.Runtime.Hosting;
using HeavyJobs.Runtime.Worker;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HeavyJobs.Runtime.Tests.Hosting;

/// <summary>
/// <c>AddHeavyJobs</c> on a real generic host over a real SQLite file: options bound from configuration and
/// validated at start (a bad value stops the host with a message naming the option), and the roles as hosted services.
/// </summary>
public sealed class HostingTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-hosting-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Db => Path.Combine(_dir, "h.db");

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("HeavyJobs:Monitor:Lease", "00:00:05", "HeavyJobs:Monitor:Lease (5 s) must be at least three heartbeats (3 × HeavyJobs:Monitor:HeartbeatInterval = 6 s)")]
    [InlineData("HeavyJobs:Monitor:IdleProbeInterval", "-00:00:01", "HeavyJobs:Monitor:IdleProbeInterval must be positive (got -00:00:01)")]
    [InlineData("HeavyJobs:Monitor:CrashLoopDeaths", "0", "HeavyJobs:Monitor:CrashLoopDeaths must be at least 1 (got 0)")]
    [InlineData("HeavyJobs:Manager:Tick", "00:00:00", "HeavyJobs:Manager:Tick must be positive (got 00:00:00)")]
    [InlineData("HeavyJobs:Worker:Concurrency", "0", "HeavyJobs:Worker:Concurrency must be at least 1 (got 0)")]
    [InlineData("HeavyJobs:Store:Kind", "mysql", "HeavyJobs:Store:Kind 'mysql' is not a known store (known: sqlite)")]
    public async Task AnInvalidOption_StopsTheHostAtStart_WithAMessageNamingIt(string key, string value, string message)
    {
        using var host = Build(new Dictionary<string, string?> { [key] = value }, b => b.AddMonitor().AddManager().AddWorker());

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(Ct));

        Assert.Contains(Failures(failure), f => f.StartsWith(message, StringComparison.Ordinal));
        Assert.False(File.Exists(Db), "nothing may touch the store when the options are wrong");
    }

    [Fact]
    public async Task AStoreOfNoKnownKind_NamesTheKindsThisHostKnows()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddHeavyJobs();
        using var host = builder.Build();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(Ct));

        Assert.Contains(Failures(failure), f => f.StartsWith("HeavyJobs:Store:Kind is not set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OptionsBound_FromConfiguration_KeepTheirDefaultsOtherwise()
    {
        using var host = Build(new Dictionary<string, string?> { ["HeavyJobs:Monitor:Lease"] = "00:00:45", ["HeavyJobs:Worker:Concurrency"] = "3" }, b => b.AddMonitor().AddWorker());

        var monitor = host.Services.GetRequiredService<IOptions<HeavyJobs.Runtime.Monitor.MonitorOptions>>().Value;
        var worker = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(45), monitor.Lease);
        Assert.Equal(TimeSpan.FromSeconds(2), monitor.HeartbeatInterval);
        Assert.Equal(Db, monitor.Db);
        Assert.Equal(SqliteStoreRegistration.Kind, monitor.StoreKind);
        Assert.Equal(3, worker.Concurrency);
    }

    [Fact]
    public async Task TheManagerRole_MigratesTheStore_AndRunsItsDuties()
    {
        using var host = Build([], b => b.AddManager());
        await host.StartAsync(Ct);
        var store = host.Services.GetRequiredService<IHeavyStore>();

        Assert.True(await MonitorRun.UntilAsync(
            async () => (await store.ActionListAsync(new ActionListParams(Kind: ActionKinds.ManagerStart), Ct)).Count == 1,
            TimeSpan.FromSeconds(30),
            Ct));
        await host.StopAsync(Ct);
        // The dashboard role is not in this host: its store facets are all a dashboard would get.
        Assert.Same(store, host.Services.GetRequiredService<IDashboardStore>());
    }

    private IHost Build(Dictionary<string, string?> settings, Action<HeavyJobsBuilder> roles)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // The store too comes from configuration here; the host only learns how to open SQLite.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["HeavyJobs:Store:Kind"] = "sqlite", ["HeavyJobs:Store:Connection"] = Db });
        builder.Configuration.AddInMemoryCollection(settings);
        roles(builder.Services.AddHeavyJobs(o => o.AddSqlite()).AddHandler<NoOpHandler>("test.noop"));
        return builder.Build();
    }

    private static List<string> Failures(Exception e) => e switch
    {
        OptionsValidationException v => [.. v.Failures],
        AggregateException a => [.. a.InnerExceptions.SelectMany(Failures)],
        _ => [e.Message],
    };

    private sealed class NoOpHandler : IChunkHandler
    {
        public ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
