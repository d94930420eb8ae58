using HeavyJobs.Runtime.Protocol;

namespace HeavyJobs.Runtime.Hosting;

/// <summary>
/// Whether this process is a worker a monitor started (it set <see cref="WorkerEnvironment.WorkerId"/>): then the
/// host runs the worker role alone, whatever other roles the application adds, and opens the store its monitor
/// names. This is how a user's application serves its own handlers: the monitor starts it again as a worker.
/// </summary>
public static class MonitoredProcess
{
    public static bool IsWorker => Environment.GetEnvironmentVariable(WorkerEnvironment.WorkerId) is { Length: > 0 };

    /// <summary>
    /// A worker whose monitor serves its store calls over the pipe: it never opens the store, so it holds no
    /// database connection and leaves migrations to the processes that do.
    /// </summary>
    public static bool StoreThroughMonitor => IsWorker && Environment.GetEnvironmentVariable(WorkerEnvironment.StoreAccess) == StoreCalls.AccessMonitor;

    /// <summary>A period the monitor gave in the environment, at least 100 ms; null when absent or not a number.</summary>
    public static TimeSpan? Period(string variable) =>
        long.TryParse(Environment.GetEnvironmentVariable(variable), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(Math.Max(100, ms))
            : null;
}
