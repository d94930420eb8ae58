using HeavyJobs.Core.Handlers;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Runtime.Worker;
using HeavyJobs.Runtime.Worker.StoreAccess;
using HeavyJobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HeavyJobs.Runtime.Hosting;

/// <summary>
/// The worker role: one <see cref="ChunkWorker"/>. Started by a monitor, it speaks the worker protocol on
/// stdin/stdout and takes its id, types, heartbeat and lease from the environment the monitor gave it; run by
/// hand, it registers and heartbeats itself. When it stops (Ctrl+C, SIGTERM, the monitor's stop, or its stdin
/// closing) its handlers checkpoint and give their chunks back, and the host ends.
/// </summary>
internal sealed class WorkerService(
    IServiceProvider services,
    HandlerRegistry registry,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILoggerFactory loggers,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var worker = options.Value;
            if (MonitoredProcess.IsWorker)
            {
                await RunMonitoredAsync(worker, stoppingToken);
            }
            else
            {
                var store = services.GetRequiredService<IHeavyStore>();
                await using var host = new StandaloneWorkerHost(store, worker.Node, AppVersion.Current, worker.Lease, time);
                await new ChunkWorker(store, registry, host, worker, time, loggers).RunAsync(stoppingToken);
            }
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task RunMonitoredAsync(WorkerOptions worker, CancellationToken stoppingToken)
    {
        var heartbeat = MonitoredProcess.Period(WorkerEnvironment.HeartbeatMs) ?? TimeSpan.FromSeconds(1);
        var types = Environment.GetEnvironmentVariable(WorkerEnvironment.Types) is { Length: > 0 } t
            ? t.Split(',', StringSplitOptions.RemoveEmptyEntries)
            : worker.Types;
        var monitored = worker with
        {
            Types = types,
            HeartbeatInterval = heartbeat,
            IdleHeartbeatInterval = MonitoredProcess.Period(WorkerEnvironment.IdleHeartbeatMs) ?? heartbeat,
            Lease = MonitoredProcess.Period(WorkerEnvironment.LeaseMs) ?? worker.Lease,
            // The monitor wakes it for work come due by time too (MonitorOptions.IdleProbeInterval), one probe per
            // type for all its workers: its own poll is only a safety net.
            IdleFallbackPoll = TimeSpan.FromMinutes(5),
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        // The standard streams themselves: the protocol's lines are bytes, written and read without a text layer.
        await using var stdin = Console.OpenStandardInput();
        await using var stdout = Console.OpenStandardOutput();
        using var pipe = new PipeWorkerHost(stdin, stdout, AppVersion.Current, stop.Cancel);
        // The store is opened (and its connections made) only by a worker that reaches it itself.
        IWorkerStoreCalls calls = MonitoredProcess.StoreThroughMonitor
            ? new MonitorStoreCalls(pipe)
            : new DirectStoreCalls(services.GetRequiredService<IHeavyStore>());
        await new ChunkWorker(calls, registry, pipe, monitored, time, loggers).RunAsync(stop.Token);
    }
}
