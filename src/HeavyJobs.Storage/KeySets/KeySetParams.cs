namespace HeavyJobs.Storage.KeySets;

/// <summary>
/// Adds keys (domains, URLs, ids) to a named key set, once: keys already in the set keep their refresh time.
/// A key set is what a refresh job is cut from: each run takes the keys whose last refresh is too old.
/// </summary>
public sealed record KeySetLoadParams(string Set, IEnumerable<string> Keys, DateTimeOffset Now);

/// <summary>
/// The keys of a set never refreshed or last refreshed before <paramref name="RefreshedBefore"/>, never-refreshed
/// first, then oldest first, at most <paramref name="Limit"/>.
/// </summary>
public sealed record KeySetStaleParams(string Set, DateTimeOffset RefreshedBefore, int Limit);

/// <summary>
/// A key a checkpoint marked: refreshed, with its latest record when the handler gives one, or only attempted
/// (<paramref name="Refreshed"/> false: it stays due and keeps its record). Either way the key is the job's now.
/// </summary>
public sealed record FreshKey(string Key, string? Latest = null, bool Refreshed = true);

/// <summary>
/// The keys of the key set of job <paramref name="JobId"/>, in key order after <paramref name="AfterKey"/>; with
/// <paramref name="NotMarkedOnly"/>, only those no committed checkpoint of that job marked.
/// </summary>
public sealed record KeySetReadParams(long JobId, string? AfterKey, int Limit, bool NotMarkedOnly = false);

public sealed record KeySetEntry(string Key, DateTimeOffset? RefreshedAt, string? Latest);

/// <summary>Counts per key set; <paramref name="RefreshedBefore"/> is the staleness line.</summary>
public sealed record KeySetStatusParams(DateTimeOffset RefreshedBefore, string? Set = null);

/// <param name="Stale">Keys refreshed before the staleness line, not counting never-refreshed ones.</param>
public sealed record KeySetStatus(string Set, long Total, long NeverRefreshed, long Stale, DateTimeOffset? OldestRefresh, DateTimeOffset? NewestRefresh);
