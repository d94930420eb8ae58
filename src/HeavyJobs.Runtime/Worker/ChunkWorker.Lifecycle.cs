using System.Text.Json;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Throughput;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Worker;

/// <summary>A worker's drain on stop, its heartbeat to its host, and its state.</summary>
public sealed partial class ChunkWorker
{
    private async Task DrainAsync(CancellationTokenSource hardStop)
    {
        var tasks = _slots.ToList();
        if (tasks.Count == 0)
        {
            return;
        }

        try
        {
            await Task.WhenAll(tasks).WaitAsync(_host.StopGrace ?? _options.StopGrace, _time);
        }
        catch (TimeoutException)
        {
            // Past the grace period: abandon the writes in flight; leases run out and the monitor reclaims.
            await hardStop.CancelAsync();
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(2), _time).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(HeartbeatPeriod(_state), _time);
        Volatile.Write(ref _heartbeatTimer, timer);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    var lost = await _host.HeartbeatAsync(Status, cancellationToken);
                    foreach (var id in lost)
                    {
                        if (_running.TryGetValue(id, out var r))
                        {
                            LogLeaseLost(id);
                            await r.Cancellation.CancelAsync();
                        }
                    }

                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogHeartbeatFailed(ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Volatile.Write(ref _heartbeatTimer, null);
        }
    }

    private TimeSpan HeartbeatPeriod(WorkerState state) => state == WorkerState.Idle ? _options.IdleHeartbeatInterval : _options.HeartbeatInterval;

    private async ValueTask<JsonElement> JobParametersAsync(long jobId, CancellationToken cancellationToken)
    {
        if (_jobParameters.TryGetValue(jobId, out var cached))
        {
            return cached;
        }

        using var doc = JsonDocument.Parse(await _store.JobParametersAsync(jobId, cancellationToken) ?? "{}");
        return _jobParameters[jobId] = doc.RootElement.Clone();
    }

    private void SetState(WorkerState state)
    {
        if (_state != state)
        {
            _state = state;
            // The report below is this period's heartbeat: the next one is due a whole period from now. The timer
            // is set first, so whoever hears the report (a test advancing a fake clock on it) finds it set.
            if (Volatile.Read(ref _heartbeatTimer) is { } timer)
            {
                try
                {
                    timer.Period = HeartbeatPeriod(state);
                }
                catch (ObjectDisposedException)
                {
                }
            }

            _host.Report(Status);
        }
    }
}
