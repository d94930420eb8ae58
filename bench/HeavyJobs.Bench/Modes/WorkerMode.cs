using HeavyJobs.Runtime.Worker;
using HeavyJobs.Storage.Throughput;
using Microsoft.Extensions.Logging.Abstractions;
using System.Runtime.InteropServices;

namespace HeavyJobs.Bench.Modes;

/// <summary>
/// One HeavyJobs worker process, as `heavyjobs worker` runs it (StandaloneWorkerHost, its own connections,
/// woken by the store's change watcher), with the bench's handler types. Prints "ready" once it sleeps.
/// </summary>
internal static class WorkerMode
{
    public static async Task<int> RunAsync(Args args)
    {
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        // The bench that started this worker holds its stdin open; when the bench is gone (killed, or stopped
        // before it disposed its children) stdin ends, and so does this worker, rather than go on claiming chunks
        // in a schema the next run drops and seeds again.
        _ = Task.Run(async () =>
        {
            try
            {
                while (await Console.In.ReadLineAsync(stop.Token) is not null)
                {
                }

                await stop.CancelAsync();
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                // Stopped by SIGTERM first.
            }
        });
        await using var store = BenchStores.Open(args.Get("db"), args.Get("sync", "FULL"));
        var options = new WorkerOptions
        {
            Types = [args.Get("types", BenchHandlers.NoOp)],
            Concurrency = args.Int("concurrency", 1),
            // A safety net for a wake-up sent before the first LISTEN: bench workers never sit idle for long.
            IdleFallbackPoll = TimeSpan.FromSeconds(2),
        };
        await using var inner = new StandaloneWorkerHost(store, "bench", "bench", options.Lease, TimeProvider.System);
        var host = new ReadyHost(inner);
        var worker = new ChunkWorker(store, BenchHandlers.Registry(), host, options, TimeProvider.System, NullLoggerFactory.Instance);
        await worker.RunAsync(stop.Token);
        return 0;
    }

    /// <summary>Says "ready" on stdout the first time the worker goes to sleep.</summary>
    private sealed class ReadyHost(IWorkerHost inner) : IWorkerHost
    {
        private int _said;

        public TimeSpan? StopGrace => inner.StopGrace;

        public Task<long> StartAsync(IReadOnlyList<string> types, CancellationToken cancellationToken) => inner.StartAsync(types, cancellationToken);

        public Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var wait = inner.WaitForWorkAsync(timeout, cancellationToken);
            if (Interlocked.Exchange(ref _said, 1) == 0)
            {
                Console.WriteLine("ready");
            }

            return wait;
        }

        public void Report(WorkerStatus status) => inner.Report(status);

        public void Running(IReadOnlyCollection<long> chunks) => inner.Running(chunks);

        public void Record(ThroughputSample sample) => inner.Record(sample);

        public Task<IReadOnlyCollection<long>> HeartbeatAsync(WorkerStatus status, CancellationToken cancellationToken) => inner.HeartbeatAsync(status, cancellationToken);

        public Task StopAsync(string reason, CancellationToken cancellationToken) => inner.StopAsync(reason, cancellationToken);
    }
}
