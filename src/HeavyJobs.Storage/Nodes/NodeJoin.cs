using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Storage.Nodes;

/// <summary>A monitor that holds the machine's name takes the row: new boot id, pid, host and beat.</summary>
public sealed record NodeJoinParams(string Name, string BootId, string Version, int Capacity, int Pid, string Host, TimeSpan Beat, DateTimeOffset Now);

/// <summary>What the row said before the join: null fields for a machine never seen.</summary>
/// <param name="PreviousBootId">The boot id the machine had; a different one means it rebooted (or is a new machine under an old name).</param>
/// <param name="WasDead">The fleet had declared the machine dead.</param>
/// <param name="Drained">The machine stays drained across restarts until undrained.</param>
public sealed record NodeJoined(string? PreviousBootId, bool WasDead, bool Drained);

/// <summary>A monitor's heartbeat for its machine.</summary>
public sealed record NodeBeatParams(string Name, string BootId, DateTimeOffset Now);

/// <summary>What the fleet says of the machine, returned by its heartbeat.</summary>
/// <param name="Owned">The row still carries this monitor's boot id (false: another monitor took the name).</param>
/// <param name="WasDead">The fleet had declared it dead; the beat brought it back up.</param>
public sealed record NodeBeat(bool Owned, bool WasDead, bool Drained);

/// <summary>Declare a machine dead if its last heartbeat is older than <paramref name="Cutoff"/>.</summary>
/// <param name="Log">The action that explains the death (given what it freed), logged in the same transaction.</param>
public sealed record NodeDeclareDeadParams(string Name, DateTimeOffset Cutoff, string Reason, DateTimeOffset Now, Func<NodeDeclaredDead, ActionInsertParams>? Log = null);

/// <summary>A machine declared dead: its workers marked lost, every chunk they held back in the pool.</summary>
/// <param name="Started">Chunks a worker had started (its current chunk): their errors note the death.</param>
public sealed record NodeDeclaredDead(string Name, IReadOnlyList<long> LostWorkers, int FreedChunks, IReadOnlyList<long> Started);

/// <param name="Log">The action that explains the change, logged in its transaction if the machine was not drained (or undrained) already.</param>
public sealed record NodeDrainParams(string Name, bool Drained, DateTimeOffset Now, ActionInsertParams? Log = null);
