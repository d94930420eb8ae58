using HeavyJobs.Core.Definitions;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Pipelines;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Manager;

/// <summary>
/// One per fleet. Its duties, each in a file of its own: advancing pipelines (<see cref="StageAdvanceDuty"/>),
/// rolling jobs up (<see cref="JobRollupDuty"/>), reclaiming expired leases (<see cref="LeaseReclaimDuty"/>),
/// firing schedules (<see cref="ScheduleDuty"/>), the dashboard's roll-ups (<see cref="RollupDuty"/>), retention
/// (<see cref="PruneDuty"/>), declaring silent machines dead (<see cref="MachineWatchDuty"/>) and spreading fleet
/// targets (<see cref="FleetSpreadDuty"/>). This
/// class is the loop: one read of the agenda per pass, every duty given it, then sleep until the soonest duty
/// is due or the store changes. Only the manager that leads the fleet runs passes (<see cref="Leadership"/>);
/// everything it does goes to the action log.
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
    private readonly Leadership _leadership;

    // A call to the store failed, and none has succeeded since (see ManagerAgenda.StoreBackAt).
    private bool _storeLost;
    private DateTimeOffset? _storeBackAt;

    public HeavyManager(IMaintenanceStore store, IEnumerable<IManagerDuty> duties, ManagerOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _store = store;
        _duties = [.. duties];
        _options = options;
        _time = time;
        _logger = loggers.CreateLogger("HeavyJobs.Manager");
        _leadership = new Leadership(store, options, time, _logger);
    }

    /// <summary>A manager with every duty, submitting scheduled jobs through <paramref name="submit"/>.</summary>
    public HeavyManager(IMaintenanceStore store, ScheduledSubmit submit, TimeProvider time, ILoggerFactory loggers, ManagerOptions? options = null)
        : this(store, Duties(store, submit, options ??= new ManagerOptions(), time, loggers), options, time, loggers)
    {
    }

    /// <summary>Every duty of the manager role, in the order a pass runs them.</summary>
    public static IReadOnlyList<IManagerDuty> Duties(IMaintenanceStore store, ScheduledSubmit submit, ManagerOptions options, TimeProvider time, ILoggerFactory loggers) =>
    [
        new StageAdvanceDuty(store, options),
        new JobRollupDuty(store, options),
        new LeaseReclaimDuty(store, options, time),
        new ScheduleDuty(new ScheduleRunner(store, submit), options),
        new RollupDuty(store, options, time, loggers.CreateLogger<RollupDuty>()),
        new MachineWatchDuty(store, options),
        new FleetSpreadDuty(store, time),
        new PruneDuty(store, options, time),
    ];

    /// <summary>
    /// Stands by until this manager leads (<see cref="Leadership"/>), then runs its passes under its epoch until
    /// the lead is lost or the host stops; a manager that lost the lead stands by again.
    /// </summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        await _store.ActionInsertAsync(new ActionInsertParams(Actor, ActionKinds.ManagerStart, $"manager pid {Environment.ProcessId} started", _time.GetUtcNow()), stopping);
        await using var watcher = _store.CreateChangeWatcher();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var term = await _leadership.AcquireAsync(stopping);
                await LeadAsync(term, watcher, stopping);
                if (!stopping.IsCancellationRequested)
                {
                    LogLeadLost(term.Epoch);
                    await _store.ActionInsertAsync(
                        new ActionInsertParams(Actor, ActionKinds.LeadLost, $"manager {Leadership.Holder} lost the lead (epoch {term.Epoch}); standing by", _time.GetUtcNow()),
                        stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The store went away while standing by or taking the lead: wait a moment and try again.
                _storeLost = true;
                LogStepFailed(ex);
                await Task.Delay(_options.Tick, _time, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task LeadAsync(LeaderTerm term, IChangeWatcher watcher, CancellationToken stopping)
    {
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(stopping, term.Lost);
        // Every write of this flow is fenced by the epoch: refused once another manager took over. A write left
        // idle as long as the lock may sit idle (this process frozen mid-transaction) is ended by the database, so
        // it cannot hold the leader row, and with it the next leader's takeover, for as long as the freeze lasts.
        using var fence = StoreFence.Enter(term.Epoch, _options.LeaderLockIdle);
        while (!leading.IsCancellationRequested)
        {
            try
            {
                if (!await term.EnsureHeldAsync(leading.Token))
                {
                    return;
                }

                var sleep = await StepAsync(leading.Token);
                await watcher.WaitAsync(sleep, leading.Token);
            }
            catch (OperationCanceledException) when (leading.IsCancellationRequested)
            {
                return;
            }
            catch (LeadershipLostException)
            {
                return;
            }
            catch (Exception ex)
            {
                LogStepFailed(ex);
                await Task.Delay(_options.Tick, _time, leading.Token).ContinueWith(_ => { }, TaskScheduler.Default);
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
        var next = now + _options.IdleSleep;
        try
        {
            // One read says what is worth doing; an idle fleet's manager does nothing else.
            var agenda = await _store.ManagerAgendaAsync(new ManagerAgendaParams(_options.MissedBeats), ct);
            if (_storeLost)
            {
                _storeLost = false;
                _storeBackAt = now;
            }

            agenda = agenda with { StoreBackAt = _storeBackAt };
            foreach (var duty in _duties)
            {
                if (await duty.RunAsync(agenda, now, ct) is { } due && due < next)
                {
                    next = due;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not LeadershipLostException)
        {
            _storeLost = true;
            throw;
        }

        var sleep = next - now;
        return sleep < TimeSpan.Zero ? TimeSpan.Zero : sleep;
    }

    [LoggerMessage(3002, LogLevel.Warning, "This manager lost the lead (epoch {Epoch}); standing by")]
    private partial void LogLeadLost(long epoch);

    [LoggerMessage(3001, LogLevel.Warning, "Manager step failed; retrying")]
    private partial void LogStepFailed(Exception ex);
}
