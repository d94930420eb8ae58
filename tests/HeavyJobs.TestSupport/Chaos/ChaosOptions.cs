namespace HeavyJobs.TestSupport.Chaos;

/// <summary>What a chaos run does: on which store, for how long, how many kills, from which seed.</summary>
public sealed record ChaosOptions
{
    /// <summary>"sqlite" or "postgres".</summary>
    public string Store { get; init; } = "sqlite";

    /// <summary>How long the faults are spread over; the run then waits for its jobs to finish.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>SIGKILL events: single workers, monitors, managers and whole machines.</summary>
    public int Kills { get; init; } = 20;

    /// <summary>Everything the run chooses at random comes from this seed, so a failing plan can be replayed.</summary>
    public int Seed { get; init; } = 16;

    /// <summary>Database restarts (PostgreSQL only; ignored on SQLite, where the file has no server to restart).</summary>
    public int DatabaseRestarts { get; init; } = 1;

    /// <summary>The base connection string of the PostgreSQL cluster the run may restart (never the shared one).</summary>
    public string? Postgres { get; init; }

    /// <summary>Restarts that cluster, returning once it accepts connections again.</summary>
    public Func<CancellationToken, Task>? RestartDatabase { get; init; }

    /// <summary>How long the jobs get to finish once the faults are over.</summary>
    public TimeSpan FinishWithin { get; init; } = TimeSpan.FromMinutes(3);

    public int Machines { get; init; } = 3;

    public int Managers { get; init; } = 2;

    public int WorkersPerMachine { get; init; } = 2;

    /// <summary>The lease a monitor's heartbeat grants; a frozen machine is held past it.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(10);

    public int ChunksPerJob { get; init; } = 40;

    public int ItemsPerChunk { get; init; } = 200;

    public int SleepMs { get; init; } = 10;

    public int CheckpointEvery { get; init; } = 20;

    /// <summary>Progress lines as the run goes; null is silent.</summary>
    public Action<string>? Log { get; init; }

    public long ItemsPerJob => (long)ChunksPerJob * ItemsPerChunk;
}
