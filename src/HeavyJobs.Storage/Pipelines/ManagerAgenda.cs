namespace HeavyJobs.Storage.Pipelines;

/// <summary>What the manager has to look at soon, read in one statement so an idle fleet costs next to nothing.</summary>
/// <param name="ActiveJobs">Some job is active or paused: its stages may need releasing and it may need rolling up.</param>
/// <param name="NextScheduleAt">The earliest next run of an enabled schedule.</param>
/// <param name="NextLeaseExpiry">The earliest lease expiry of a held chunk.</param>
/// <param name="NextMachineDeadline">The earliest time an up machine, beating no more, is to be declared dead.</param>
/// <param name="FleetStamp">Moves whenever fleet targets, pinned machine targets or the machines' states change; 0 without fleet targets.</param>
/// <param name="StoreBackAt">
/// Set by the manager, not read from the store: when it last reached the store again after failing to (a database
/// restart, a network cut). No machine could beat while the store was away, so silence before it is no evidence.
/// </param>
public sealed record ManagerAgenda(
    bool ActiveJobs,
    DateTimeOffset? NextScheduleAt,
    DateTimeOffset? NextLeaseExpiry,
    DateTimeOffset? NextMachineDeadline = null,
    long FleetStamp = 0,
    DateTimeOffset? StoreBackAt = null);

/// <param name="MissedBeats">How many heartbeats a machine may miss before it is declared dead.</param>
public sealed record ManagerAgendaParams(int MissedBeats);
