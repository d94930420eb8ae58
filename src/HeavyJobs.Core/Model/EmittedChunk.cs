namespace HeavyJobs.Core.Model;

/// <summary>A chunk that a handler creates for a later stage of its job, committed with its checkpoint.</summary>
/// <param name="Stage">The stage index the chunk belongs to.</param>
/// <param name="Type">The handler type that runs it.</param>
/// <param name="Input">The chunk's input as JSON.</param>
/// <param name="DedupeKey">
/// Unique within the job: emitting the same key again (a chunk re-run after a reset) creates nothing,
/// so downstream work is never doubled.
/// </param>
/// <param name="Priority">Higher runs first among chunks without progress.</param>
public sealed record EmittedChunk(int Stage, string Type, string Input, string DedupeKey, int Priority = 0);
