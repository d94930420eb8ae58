using HeavyJobs.Core.Definitions;

namespace HeavyJobs.Storage.Jobs;

/// <param name="Name">Shown to operators.</param>
/// <param name="Stages">The job's stages; the chunks given here belong to stage 0.</param>
/// <param name="Parameters">The job's parameters as JSON.</param>
/// <param name="ChunkInputs">The input of each first-stage chunk, as JSON, in order.</param>
/// <param name="KeySet">The key set a refresh job was cut from; its checkpoints mark keys fresh there.</param>
/// <param name="StaleKeys">
/// First-stage chunks the store cuts itself from a key set's stale keys, in the same transaction (then
/// <paramref name="ChunkInputs"/> is empty): no key passes through the submitting process, whose memory a
/// million keys read back would otherwise grow by 65 MB.
/// </param>
public sealed record JobInsertParams(
    string Name,
    IReadOnlyList<StageDefinition> Stages,
    string Parameters,
    IEnumerable<string> ChunkInputs,
    int Priority,
    int MaxAttempts,
    DateTimeOffset Now,
    string? KeySet = null,
    ScheduleFire? Fire = null,
    StaleKeyChunks? StaleKeys = null);

/// <summary>
/// The keys <see cref="KeySets.KeySetStaleParams"/> selects, in its order (never refreshed first, then oldest
/// first), cut into chunk inputs of <paramref name="Size"/> keys: <c>{"keys": [...]}</c>, as a key-list split gives.
/// </summary>
public sealed record StaleKeyChunks(KeySets.KeySetStaleParams Keys, int Size);

/// <summary>No key of the set was stale when the job was to be cut from it: nothing was inserted.</summary>
public sealed class NoStaleKeysException(string set) : Exception($"no key of set '{set}' is stale")
{
    public string Set { get; } = set;
}

/// <summary>
/// The job is a schedule's run due at <paramref name="Due"/>: the insert moves the schedule on to
/// <paramref name="Next"/> in the same transaction, and is refused (<see cref="ScheduleAlreadyFiredException"/>)
/// if the schedule is no longer due then, so each due time makes one job whoever fires it.
/// </summary>
/// <param name="Log">
/// The action that says so, from the new job's id, logged in the same transaction: a run that fired is logged
/// once, and one refused (another manager fired it) is not logged at all.
/// </param>
public sealed record ScheduleFire(long ScheduleId, DateTimeOffset Due, DateTimeOffset Next, Func<long, Actions.ActionInsertParams>? Log = null);

/// <summary>Someone else already fired the schedule for this due time.</summary>
public sealed class ScheduleAlreadyFiredException(long scheduleId, DateTimeOffset due) : Exception($"schedule {scheduleId} was already fired for {due:u}");

public sealed record JobInserted(long JobId, long ChunkCount);
