using HeavyJobs.Core.Definitions;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Manager;

/// <summary>
/// One per fleet. Its duties, each in a file of its own: advancing pipelines (<see cref="StageAdvanceDuty"/>),
/// rolling jobs up (<see cref="JobRollupDuty"/>), reclaiming expired leases (<see cref="LeaseReclaimDuty"/>),
/// firing schedules (<see cref="ScheduleDuty"/>), the dashboard's roll-ups (<see cref="RollupDuty"/>) and retention (<see cref="PruneDuty"/>). This
/// class is the loop: one read of the agenda per pass, every duty given it, then sleep until the soonest duty
/// is due or the store changes. Everything it does goes to the action log.
/// </summary>
public sealed partial class HeavyManager
{
    /// <summary>The actor of the manager's rows in the action log.</summary>
    public const string Actor = "manager";

    private readonly IMaintenanceStore _store;
    private readonly IReadOnlyList<IManagerDuty> _duties;
    private readonly ManagerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public HeavyManager(IMaintenanceStore store, IEnumerable<IManagerDuty> duties, ManagerOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _store = store;
        _duties = [.. duties];
        _options = options;
        _time = time;
        _logger = loggers.CreateLogger("HeavyJobs.Manager");
    }

    /// <summary>A manager with every duty, submitting scheduled jobs through <paramref name="submit"/>.</summary>
    public HeavyManager(IMaintenanceStore store, Func<JobDefinition, string, CancellationToken, Task<long>> submit, TimeProvider time, ILoggerFactory loggers, ManagerOptions? options = null)
        : this(store, Duties(store, submit, options ??= new ManagerOptions(), time, loggers), options, time, loggers)
    {
    }

    /// <summary>Every duty of the manager role, in the order a pass runs them.</summary>
    public static IReadOnlyList<IManagerDuty> Duties(IMaintenanceStore store, Func<JobDefinition, string, CancellationToken, Task<long>> submit, ManagerOptions options, TimeProvider time, ILoggerFactory loggers) =>
    [
        new StageAdvanceDuty(store, options),
        new JobRollupDuty(store, options),
        new LeaseReclaimDuty(store, options, time),
        new ScheduleDuty(new ScheduleRunner(store, submit), options),
        new RollupDuty(store, options, time, loggers.CreateLogger<RollupDuty>()),
        new PruneDuty(store, options, time),
    ];

    public async Task RunAsync(CancellationToken stopping)
    {
        await _store.ActionInsertAsync(new ActionInsertParams(Actor, ActionKinds.ManagerStart, $"manager pid {Environment.ProcessId} started", _time.GetUtcNow()), stopping);
        await using var watcher = _store.CreateChangeWatcher();
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
                await Task.Delay(_options.Tick, _time, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// One pass of every duty that is due; tests call it directly. Returns how long the manager may sleep unless
    /// the store changes: until the soonest duty wants another pass, at least a tick and at most the idle sleep.
    /// </summary>
    public async Task<TimeSpan> StepAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        // One read says what is worth doing; an idle fleet's manager does nothing else.
        var agenda = await _store.ManagerAgendaAsync(ct);
        var next = now + _options.IdleSleep;
        foreach (var duty in _duties)
        {
            if (await duty.RunAsync(agenda, now, ct) is { } due && due < next)
            {
                next = due;
            }
        }

        var sleep = next - now;
        return sleep < TimeSpan.Zero ? TimeSpan.Zero : sleep;
    }

    [LoggerMessage(3001, LogLevel.Warning, "Manager step failed; retrying")]
    private partial void LogStepFailed(Exception ex);
}
