namespace HeavyJobs.Storage;

/// <param name="FromVersion">The schema version found.</param>
/// <param name="ToVersion">The schema version now.</param>
/// <param name="Applied">The migrations this call applied (another process may have applied the rest).</param>
public sealed record MigrationResult(int FromVersion, int ToVersion, IReadOnlyList<string> Applied);
