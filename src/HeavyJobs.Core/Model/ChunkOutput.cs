namespace HeavyJobs.Core.Model;

/// <summary>A record a handler produced; it is committed with the checkpoint that covers it, exactly once.</summary>
/// <param name="Key">The handler's own key for the record (e.g. a domain); not required to be unique.</param>
/// <param name="Data">The record, usually JSON.</param>
public sealed record ChunkOutput(string Key, string Data);
