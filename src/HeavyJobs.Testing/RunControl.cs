namespace HeavyJobs.Testing;

/// <summary>
/// The faults planned for one harness run, across every run of the chunk: kills after a number of committed
/// checkpoints, kills at random commit points, stops after a number of committed checkpoints.
/// </summary>
internal sealed class FaultPlan(IEnumerable<int> killsAfter, IEnumerable<int> stopsAt, RandomKills? random)
{
    private readonly SortedSet<int> _killsAfter = [.. killsAfter];
    private readonly SortedSet<int> _stopsAt = [.. stopsAt];
    private readonly Random? _random = random is null ? null : new Random(random.Seed);
    private int _randomKillsLeft = random?.Kills ?? 0;

    public IReadOnlyCollection<int> UnfiredKills => _killsAfter;

    public IReadOnlyCollection<int> UnfiredStops => _stopsAt;

    /// <summary>Whether the run dies at this commit point, before it commits, with this many checkpoints committed.</summary>
    public bool KillBeforeCommit(int checkpoints)
    {
        if (_killsAfter.Count > 0 && _killsAfter.Min <= checkpoints)
        {
            _killsAfter.Remove(_killsAfter.Min);
            return true;
        }

        if (_random is not null && _randomKillsLeft > 0 && _random.NextDouble() < random!.Chance)
        {
            _randomKillsLeft--;
            return true;
        }

        return false;
    }

    public bool StopAfter(int checkpoints) => _stopsAt.Remove(checkpoints);
}

internal sealed record RandomKills(int Seed, int Kills, double Chance);

/// <summary>One run's link to the plan: tells the harness when the run died, stops the handler when planned.</summary>
internal sealed class RunControl(FaultPlan plan, CancellationTokenSource stop)
{
    private readonly TaskCompletionSource _killed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Killed => _killed.Task;

    public bool StopRequested { get; private set; }

    public int CheckpointsAfterStop { get; private set; }

    public bool KillBeforeCommit(int checkpoints) => plan.KillBeforeCommit(checkpoints);

    public void Committed(int checkpoints)
    {
        if (StopRequested)
        {
            CheckpointsAfterStop++;
        }
        else if (plan.StopAfter(checkpoints))
        {
            StopRequested = true;
            stop.Cancel();
        }
    }

    public void Kill() => _killed.TrySetResult();
}
