using System.Globalization;
using System.Text;

namespace HeavyJobs.TestSupport.Chaos;

/// <summary>What a chaos run did and found; <see cref="Passed"/> is the verdict the runner's exit code gives.</summary>
public sealed record ChaosReport(
    int Seed,
    string Store,
    TimeSpan FaultsTook,
    TimeSpan Elapsed,
    bool Finished,
    IReadOnlyList<JobVerdict> Jobs,
    IReadOnlyDictionary<FaultKind, int> Faults,
    int ProcessesKilled,
    int Skipped,
    int UnplannedRestarts,
    int StoreErrors,
    IReadOnlyList<Recovery> Recoveries)
{
    /// <summary>The end of the fleet's log, kept when the run failed.</summary>
    public string LogTail { get; init; } = "";

    public long Lost => Jobs.Sum(j => j.Lost);

    public long Duplicated => Jobs.Sum(j => j.Duplicated);

    public long StaleWrites => Jobs.Sum(j => j.StaleWrites + j.Foreign);

    public int Quarantined => Jobs.Sum(j => j.Quarantined);

    public int Kills => Faults.Where(f => f.Key.IsKill()).Sum(f => f.Value);

    public bool Passed => Finished && Jobs.Count > 0 && Jobs.All(j => j.Passed);

    public string Format()
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine(inv, $"chaos: store {Store}, seed {Seed}, faults over {FaultsTook.TotalSeconds:0} s, whole run {Elapsed.TotalSeconds:0} s");
        s.AppendLine(inv, $"faults: {Kills} kills ({string.Join(", ", Faults.OrderBy(f => f.Key).Select(f => $"{f.Key} {f.Value}"))}), {ProcessesKilled} processes SIGKILLed, {Skipped} tries skipped (no victim; retried up to 3 times)");
        s.AppendLine(inv, $"fleet: {UnplannedRestarts} processes exited by themselves and were restarted; {StoreErrors} store calls of the runner failed (database away)");
        foreach (var kind in Recoveries.GroupBy(r => r.Kind).OrderBy(g => g.Key))
        {
            var timed = kind.Where(r => r.After is not null).Select(r => r.After!.Value.TotalSeconds).Order().ToList();
            var each = string.Join(' ', kind.Select(r => r.After is { } a ? a.TotalSeconds.ToString("0.0", inv) : r.Chunks == 0 && kind.Key != FaultKind.RestartDatabase ? "-" : "never"));
            var summary = timed.Count == 0 ? "none held work" : $"median {timed[timed.Count / 2]:0.0} s, max {timed[^1]:0.0} s over {timed.Count}";
            s.AppendLine(inv, $"recovery {kind.Key} (s, '-' held no chunk): {summary}: {each}");
        }

        foreach (var j in Jobs)
        {
            s.AppendLine(inv, $"job {j.JobId}: {j.State}, items {j.Items}, lost {j.Lost}, duplicated {j.Duplicated}, stale writes {j.StaleWrites + j.Foreign}, "
                + $"sum {j.ItemSum} (closed form {j.ExpectedSum}), counters {j.Counters.Done}/{j.Counters.Good}/{j.Counters.Bad} (expected {j.ExpectedCounters.Done}/{j.ExpectedCounters.Good}/{j.ExpectedCounters.Bad}), quarantined {j.Quarantined}");
            foreach (var note in j.QuarantineNotes ?? [])
            {
                s.AppendLine(inv, $"  quarantined {note}");
            }
        }

        s.AppendLine(inv, $"verdict: {(Passed ? "PASS" : "FAIL")}: lost {Lost}, duplicated {Duplicated}, stale writes {StaleWrites}, quarantined {Quarantined}, {(Finished ? "every job finished" : "jobs UNFINISHED in time")} (seed {Seed})");
        return s.ToString();
    }
}

public static class FaultKinds
{
    public static bool IsKill(this FaultKind kind) =>
        kind is FaultKind.KillWorker or FaultKind.KillMonitor or FaultKind.KillManager or FaultKind.KillMachine;
}
