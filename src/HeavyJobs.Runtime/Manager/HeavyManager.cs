using HeavyJobs.Core.Definitions;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Pipelines;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Manager;

/// <summary>
/// One per fleet. Advances pipelines (releases barrier stages when their upstream is done), rolls jobs up to
/// completed or failed, reclaims chunks whose leases ran out, and fires schedules; everything it does goes
/// to the action log. It wakes on store changes, ticks once a second while jobs run, and otherwise sleeps until
/// the next schedule or lease falls due.
/// </summary>
public sealed partial class HeavyManager(
    IHeavyStore store,
    Func<JobDefinition, string, CancellationToken, Task<long>> submit,
    TimeProvider time,
    ILoggerFactory loggers)
{
    /// <summary>How often the manager looks when nothing wakes it. The default value is 1 second.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest an idle manager sleeps when nothing wakes it (a change in the store does, and so does the next
    /// schedule or lease falling due). The default value is 1 minute.
    /// </summary>
    public static readonly TimeSpan IdleSleep = TimeSpan.FromMinutes(1);

    /// <summary>How often expired leases are reclaimed at most. The default value is 5 seconds.</summary>
    public static readonly TimeSpan ReclaimInterval = TimeSpan.FromSeconds(5);

    private const string Actor = "manager";

    private readonly ILogger _logger = loggers.CreateLogger("HeavyJobs.Manager");
    private readonly ScheduleRunner _schedules = new(store, submit);
    private long _lastReclaimTs;

    public async Task RunAsync(CancellationToken stopping)
    {
        await store.ActionInsertAsync(new ActionInsertParams(Actor, "manager-start", $"manager pid {Environment.ProcessId} started", time.GetUtcNow()), stopping);
        await using var watcher = store.CreateChangeWatcher();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var sleep = await StepAsync(stopping);
                await watcher.WaitAsync(sleep, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogStepFailed(ex);
                await Task.Delay(Tick, time, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// One pass of every duty that is due; tests call it directly. Returns how long the manager may sleep unless
    /// the store changes: a second while jobs run, else until the next schedule or lease falls due.
    /// </summary>
    public async Task<TimeSpan> StepAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // One read says what is worth doing; an idle fleet's manager does nothing else.
        var agenda = await store.ManagerAgendaAsync(ct);
        if (agenda.ActiveJobs)
        {
            foreach (var r in await store.JobAdvanceStagesAsync(new JobAdvanceParams(now), ct))
            {
                await ActAsync("advance", $"stage {r.Stage} ({r.Name}) released: {(r.Created ? "its one chunk created" : $"{r.Chunks} waiting chunks")}; every earlier stage is done", r.JobId, ct);
            }

            foreach (var job in await store.JobFinishCompletedAsync(new JobFinishParams(now), ct))
            {
                var state = (await store.JobGetAsync(job, ct))?.State.ToString().ToLowerInvariant() ?? "finished";
                await ActAsync("job-" + state, $"job {job} {state}: no chunk left to run", job, ct);
            }
        }

        if (agenda.NextLeaseExpiry <= now && time.GetElapsedTime(_lastReclaimTs) >= ReclaimInterval)
        {
            _lastReclaimTs = time.GetTimestamp();
            foreach (var r in await store.ChunkReclaimExpiredAsync(new ChunkReclaimExpiredParams(now), ct))
            {
                await store.ActionInsertAsync(
                    new ActionInsertParams(Actor, r.State == Core.Model.ChunkState.Quarantined ? "quarantine" : "reclaim", $"lease of worker {r.PreviousOwner} expired", now, WorkerId: r.PreviousOwner, JobId: r.JobId, ChunkId: r.ChunkId),
                    ct);
            }
        }

        var ranSchedules = agenda.NextScheduleAt <= now;
        if (ranSchedules)
        {
            await _schedules.TickAsync(now, ct);
        }

        var sleep = agenda.ActiveJobs || ranSchedules ? Tick : IdleSleep;
        foreach (var due in new[] { agenda.NextScheduleAt, agenda.NextLeaseExpiry + TimeSpan.FromMilliseconds(50) })
        {
            if (due is { } at && at - now < sleep)
            {
                sleep = at > now ? at - now : Tick;
            }
        }

        return sleep;
    }

    private Task ActAsync(string kind, string reason, long job, CancellationToken ct) =>
        store.ActionInsertAsync(new ActionInsertParams(Actor, kind, reason, time.GetUtcNow(), JobId: job), ct);

    [LoggerMessage(3001, LogLevel.Warning, "Manager step failed; retrying")]
    private partial void LogStepFailed(Exception ex);
}
