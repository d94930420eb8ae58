using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.TestSupport.Chaos;

/// <summary>
/// The chaos runner: a fleet of real processes (<see cref="FleetRun"/>: machines with their own names and boot ids,
/// managers) burns jobs whose answer is known in closed form while a seeded plan kills, freezes and restarts its
/// parts and the database; then every job is read back (<see cref="ChaosVerdict"/>).
/// </summary>
public sealed partial class ChaosRun
{
    private const string Type = "test.chaos";
    private const int JobsAtOnce = 2;
    private static readonly TimeSpan Look = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StartWithin = TimeSpan.FromMinutes(2);

    private readonly ChaosOptions _o;
    private readonly FleetRun _fleet;
    private readonly RecoveryClock _recovery = new();
    private readonly List<long> _jobs = [];
    private readonly HashSet<long> _active = [];
    private readonly SortedDictionary<string, MachineState> _machines = new(StringComparer.Ordinal);
    private readonly List<Later> _later = [];
    private readonly HashSet<int> _frozen = [];
    private readonly Dictionary<FaultKind, int> _applied = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private IReadOnlyList<ChunkRow> _chunks = [];
    private TimeSpan _lastLook = TimeSpan.FromDays(-1);
    private int _processesKilled;
    private int _skipped;
    private int _unplanned;
    private int _storeErrors;
    private int _managersDown;
    private bool _faulting = true;

    private ChaosRun(ChaosOptions o, FleetRun fleet)
    {
        _o = o;
        _fleet = fleet;
    }

    private enum MachineState
    {
        Up,
        Down,
        Frozen,
    }

    public static async Task<ChaosReport> RunAsync(ChaosOptions o, CancellationToken ct)
    {
        var plan = ChaosPlan.Make(o);
        await using var fleet = await FleetRun.CreateAsync(o.Store, ct, o.Postgres);
        var run = new ChaosRun(o, fleet);
        try
        {
            return await run.GoAsync(plan, ct);
        }
        finally
        {
            // Nothing is left frozen for the fleet's disposal to wait on.
            await ChaosProcesses.SignalAsync(run._frozen, "CONT");
        }
    }

    private async Task<ChaosReport> GoAsync(IReadOnlyList<PlannedFault> plan, CancellationToken ct)
    {
        _fleet.Environment["HeavyJobs__Monitor__Lease"] = _o.Lease.ToString("c", CultureInfo.InvariantCulture);
        Log($"seed {_o.Seed}, store {_o.Store}, {plan.Count} faults over {_o.Duration.TotalSeconds:0} s ({plan.Count(f => f.Kind.IsKill())} kills), "
            + $"{_o.Machines} machines x {_o.WorkersPerMachine} workers, {_o.Managers} managers");
        for (var i = 0; i < _o.Managers; i++)
        {
            _fleet.StartManager();
        }

        for (var i = 0; i < _o.Machines; i++)
        {
            _fleet.StartMachine(_fleet.Machine(i));
            _machines[_fleet.Machine(i)] = MachineState.Up;
        }

        if (!await MonitorRun.UntilAsync(async () => (await _fleet.Store.NodeListAsync(ct)).Count == _o.Machines, StartWithin, ct))
        {
            throw new InvalidOperationException("the fleet did not come up:\n" + _fleet.Log);
        }

        var scale = await _fleet.CliAsync(ct, "workers", "scale", $"{Type}={_o.Machines * _o.WorkersPerMachine}", "--fleet");
        if (scale.Exit != 0)
        {
            throw new InvalidOperationException("workers scale failed: " + scale.Out);
        }

        await TopUpAsync(ct);
        if (!await MonitorRun.UntilAsync(async () => (await _fleet.Store.WorkerListAsync(new WorkerListParams(), ct)).Any(w => w.State == WorkerState.Busy), StartWithin, ct))
        {
            throw new InvalidOperationException("no worker took work:\n" + _fleet.Log);
        }

        var faultsFrom = _clock.Elapsed;
        // A fault that found no victim (every machine down, no worker up yet on a loaded box) goes to the back of
        // the queue, up to three times, so the run does the kills it was asked for.
        var queue = new Queue<(PlannedFault Fault, int Tries)>(plan.Select(f => (f, 0)));
        while (queue.TryDequeue(out var next))
        {
            await ServiceForAsync(next.Fault.After, ct);
            if (!await ApplyAsync(next.Fault, ct) && next.Tries < 3)
            {
                queue.Enqueue((next.Fault, next.Tries + 1));
            }
        }

        var faultsTook = _clock.Elapsed - faultsFrom;
        _faulting = false;
        Log("faults over; everything down or frozen comes back, and the jobs finish");
        await ServiceUntilAsync(() => Task.FromResult(_later.Count == 0), StartWithin, ct);
        var finished = await ServiceUntilAsync(() => Task.FromResult(_active.Count == 0), _o.FinishWithin, ct);
        var verdicts = new List<JobVerdict>();
        foreach (var job in _jobs)
        {
            verdicts.Add(await ChaosVerdict.CheckAsync(_fleet.Store, job, _o.ItemsPerJob, ct));
        }

        var report = new ChaosReport(
            _o.Seed, _o.Store, faultsTook, _clock.Elapsed, finished, verdicts, new Dictionary<FaultKind, int>(_applied),
            _processesKilled, _skipped, _unplanned, _storeErrors, _recovery.Results.OrderBy(r => r.Fault).ToList());
        return report with { LogTail = report.Passed ? "" : string.Join('\n', _fleet.Log.Split('\n').TakeLast(80)) };
    }

    private async Task ServiceForAsync(TimeSpan span, CancellationToken ct)
    {
        var until = _clock.Elapsed + span;
        do
        {
            await TickAsync(ct);
            await Task.Delay(50, ct);
        }
        while (_clock.Elapsed < until);
    }

    private async Task<bool> ServiceUntilAsync(Func<Task<bool>> condition, TimeSpan within, CancellationToken ct)
    {
        var until = _clock.Elapsed + within;
        while (_clock.Elapsed < until)
        {
            await TickAsync(ct);
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50, ct);
        }

        return await condition();
    }

    /// <summary>Brings back what is due, restarts what died unplanned, and looks at the chunks and jobs.</summary>
    private async Task TickAsync(CancellationToken ct)
    {
        foreach (var later in _later.Where(l => l.Due <= _clock.Elapsed).ToList())
        {
            _later.Remove(later);
            await later.Act();
        }

        foreach (var (name, state) in _machines)
        {
            if (state == MachineState.Up && _fleet.MonitorOf(name).HasExited)
            {
                _unplanned++;
                Log($"monitor of {name} exited by itself (code {_fleet.MonitorOf(name).ExitCode}); restarted");
                _fleet.StartMachine(name);
            }
        }

        if (_fleet.Managers.Count(p => !p.HasExited) + _managersDown < _o.Managers)
        {
            _unplanned++;
            Log("a manager exited by itself; restarted");
            _fleet.StartManager();
        }

        if (_clock.Elapsed - _lastLook < Look)
        {
            return;
        }

        _lastLook = _clock.Elapsed;
        await StoreAsync(
            async () =>
            {
                var chunks = new List<ChunkRow>();
                foreach (var job in _active.ToList())
                {
                    chunks.AddRange(await _fleet.Store.ChunkListAsync(new ChunkListParams(job, Limit: 100_000), ct));
                    if ((await _fleet.Store.JobGetAsync(job, ct))?.State is not JobState.Active)
                    {
                        _active.Remove(job);
                        Log($"job {job} is over");
                    }
                }

                _chunks = chunks;
                _recovery.Observe(chunks);
                return true;
            });
        if (_faulting)
        {
            await TopUpAsync(ct);
        }
    }

    /// <summary>Keeps jobs coming while faults remain, so there is always work to lose.</summary>
    private async Task TopUpAsync(CancellationToken ct)
    {
        while (_active.Count < JobsAtOnce)
        {
            var per = _o.ItemsPerChunk;
            var inserted = await StoreAsync(() => _fleet.Store.JobInsertAsync(
                new JobInsertParams(
                    $"chaos {_jobs.Count + 1}",
                    [new StageDefinition("main", Type, StageMode.Streaming)],
                    JsonSerializer.Serialize(new { sleepMs = _o.SleepMs, every = _o.CheckpointEvery }),
                    Enumerable.Range(0, _o.ChunksPerJob).Select(i => $$"""{"start":{{(long)i * per}},"end":{{(long)(i + 1) * per}}}"""),
                    0,
                    20,
                    TimeProvider.System.GetUtcNow()),
                ct));
            if (inserted is null)
            {
                return;
            }

            _jobs.Add(inserted.JobId);
            _active.Add(inserted.JobId);
            Log($"job {inserted.JobId} submitted ({_o.ItemsPerJob} items)");
        }
    }

    /// <summary>A store call that may meet the database restarting: counted, not fatal.</summary>
    private async Task<T?> StoreAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _storeErrors++;
            return default;
        }
    }

    private void Log(string message) => _o.Log?.Invoke($"[{_clock.Elapsed:mm\\:ss\\.f}] {message}");

    private sealed record Later(TimeSpan Due, Func<Task> Act);
}
