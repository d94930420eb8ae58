namespace HeavyJobs.TestSupport.Chaos;

public enum FaultKind
{
    /// <summary>SIGKILL one busy worker; its monitor replaces it.</summary>
    KillWorker,

    /// <summary>SIGKILL a machine's monitor alone; restarted after a pause with the same boot id.</summary>
    KillMonitor,

    /// <summary>SIGKILL a manager; restarted after a pause.</summary>
    KillManager,

    /// <summary>SIGKILL a machine whole (monitor and workers); restarted after a pause with a new boot id.</summary>
    KillMachine,

    /// <summary>SIGSTOP one busy worker for a few seconds, then SIGCONT.</summary>
    FreezeWorker,

    /// <summary>SIGSTOP a machine whole past its lease (so the fleet declares it dead), then SIGCONT.</summary>
    FreezeMachine,

    /// <summary>Restart the database server (PostgreSQL).</summary>
    RestartDatabase,
}

/// <summary>One fault of the plan: what, how long after the previous one, and how long the victim stays down or frozen.</summary>
public sealed record PlannedFault(int Index, FaultKind Kind, TimeSpan After, TimeSpan Down, int Pick);

/// <summary>The seeded sequence of faults: the same options and seed give the same plan.</summary>
public static class ChaosPlan
{
    public static IReadOnlyList<PlannedFault> Make(ChaosOptions o)
    {
        var random = new Random(o.Seed);
        var kills = Math.Max(o.Kills, 4);
        var kinds = new List<FaultKind>();
        // Whole machines, monitors and managers each about a tenth of the kills (at least one each); the rest single workers.
        var machines = Math.Max(1, kills / 10);
        var monitors = Math.Max(1, kills / 10);
        var managers = Math.Max(1, kills / 10);
        kinds.AddRange(Enumerable.Repeat(FaultKind.KillMachine, machines));
        kinds.AddRange(Enumerable.Repeat(FaultKind.KillMonitor, monitors));
        kinds.AddRange(Enumerable.Repeat(FaultKind.KillManager, managers));
        kinds.AddRange(Enumerable.Repeat(FaultKind.KillWorker, kills - machines - monitors - managers));
        kinds.AddRange(Enumerable.Repeat(FaultKind.FreezeWorker, Math.Max(1, kills / 10)));
        kinds.AddRange(Enumerable.Repeat(FaultKind.FreezeMachine, Math.Max(1, kills / 40)));
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(kinds));
        if (o.Store == "postgres")
        {
            // Spread over the middle of the run, never first: the fleet is under way when the database goes.
            for (var i = 0; i < o.DatabaseRestarts; i++)
            {
                kinds.Insert(random.Next(kinds.Count / 4, Math.Max(kinds.Count / 4 + 1, kinds.Count * 3 / 4)), FaultKind.RestartDatabase);
            }
        }

        var mean = o.Duration / kinds.Count;
        var lease = o.Lease;
        return kinds.Select((k, i) => new PlannedFault(
            i,
            k,
            mean * (0.5 + random.NextDouble()),
            k switch
            {
                // Mostly short; one in four past the monitor's silence limit (15 s), so it is found hung and killed.
                FaultKind.FreezeWorker => random.Next(4) == 0 ? TimeSpan.FromSeconds(18) : TimeSpan.FromSeconds(1 + (random.NextDouble() * 4)),
                // Past the lease, so the machine is declared dead and its chunks run elsewhere before it thaws.
                FaultKind.FreezeMachine => lease + TimeSpan.FromSeconds(2 + (random.NextDouble() * 4)),
                FaultKind.KillMachine => TimeSpan.FromSeconds(1 + (random.NextDouble() * 6)),
                _ => TimeSpan.FromSeconds(0.5 + (random.NextDouble() * 2.5)),
            },
            random.Next(1_000_000))).ToList();
    }
}
