using HeavyJobs.Storage;

namespace HeavyJobs.Runtime.Tests.Monitor;

/// <summary>A test class that runs real monitor processes on a database of its own, per store kind.</summary>
public abstract class ProcessScenario(string kind) : IAsyncLifetime
{
    private MonitorRun? _run;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected string Kind => kind;

    internal MonitorRun Run => _run ?? throw new InvalidOperationException("Not initialised.");

    protected IHeavyStore Store => Run.Store;

    public async ValueTask InitializeAsync() => _run = await MonitorRun.CreateAsync(kind, Ct);

    public async ValueTask DisposeAsync()
    {
        if (_run is not null)
        {
            await _run.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
