using System.Collections.Concurrent;

namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// IANA zone names after a date ("Europe/Berlin", "America/Argentina/Buenos_Aires"), found in the system's tz database.
/// </summary>
/// <remarks>
/// The runtime caches the zones it finds but not the names it fails to find, and each miss reads the disk: every name
/// is remembered here, a miss as null. The cache stops growing at a bound so an answer full of made-up names cannot
/// fill memory; names past it are still looked up, just not remembered.
/// </remarks>
internal static class WhoisTimeZones
{
    private const int MaxCached = 512;
    private const int MaxNameLength = 64;

    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> _cache = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, TimeZoneInfo?>.AlternateLookup<ReadOnlySpan<char>> _lookup =
        _cache.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Length of the zone name starting at <paramref name="start"/>: letters, digits, '_', '-', '+' and '/'.</summary>
    public static int NameLength(ReadOnlySpan<char> s, int start)
    {
        var i = start;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '_' or '-' or '+' or '/'))
        {
            i++;
        }

        // "Etc/GMT+3." ends a sentence; "Europe/" alone names nothing.
        while (i > start && s[i - 1] is '/' or '-' or '+')
        {
            i--;
        }

        return i - start;
    }

    public static bool TryFind(ReadOnlySpan<char> name, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        // Names are "Area/Location": a relative path ("..") or a name too long for the database is no zone.
        if (name.Length is < 3 or > MaxNameLength || name.IndexOf('/') <= 0 || name.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        if (!_lookup.TryGetValue(name, out var found))
        {
            var text = name.ToString();
            found = Find(text);
            if (_cache.Count < MaxCached)
            {
                _cache.TryAdd(text, found);
            }
        }

        if (found is null)
        {
            return false;
        }

        zone = found;
        return true;
    }

    private static TimeZoneInfo? Find(string name)
    {
        if (TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone))
        {
            return zone;
        }

        // The database's names are capitalised and its files are looked up case-sensitively: a registry that writes
        // "asia/tokyo" or "ASIA/TOKYO" still means Asia/Tokyo. Names with inner capitals ("Port-au-Prince") stay unread.
        var canonical = string.Create(name.Length, name, static (buffer, source) =>
        {
            var wordStart = true;
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                buffer[i] = wordStart ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c);
                wordStart = c is '/' or '_' or '-';
            }
        });
        return !canonical.Equals(name, StringComparison.Ordinal) && TimeZoneInfo.TryFindSystemTimeZoneById(canonical, out zone) ? zone : null;
    }
}
