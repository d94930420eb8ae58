namespace HeavyJobs.Storage.Chunks;

/// <summary>
/// A worker's batch of completions and its next claim, in one transaction: the completions are committed (or
/// refused, as <see cref="ChunkCompleteManyParams"/> says) and then the claim is taken.
/// </summary>
public sealed record ChunkCompleteAndClaimParams(ChunkCompleteManyParams Complete, ChunkClaimParams Claim);

/// <param name="Completed">The ids whose completions were committed; the others were no longer held.</param>
/// <param name="Claimed">The chunks claimed, in claim order.</param>
public sealed record CompletedAndClaimed(IReadOnlyList<long> Completed, IReadOnlyList<ClaimedChunk> Claimed);
