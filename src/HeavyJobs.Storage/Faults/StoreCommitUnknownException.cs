namespace HeavyJobs.Storage.Faults;

/// <summary>
/// The connection broke while a commit was under way, so whether it landed is unknown. Not retried: running the
/// transaction again could write its outputs twice. Every write is fenced by its chunk's epoch, so the caller
/// treats it as failed and the chunk resumes from whatever the store holds.
/// </summary>
public sealed class StoreCommitUnknownException(Exception inner)
    : Exception($"The connection to the database broke during a commit; whether it landed is unknown. ({inner.Message})", inner);
