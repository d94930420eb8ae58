namespace HeavyJobs.Whois.Server;

/// <summary>
/// SplitMix64: a tiny generator whose output depends only on its seed, unlike <see cref="Random"/> (whose
/// algorithm may change between runtimes) and string.GetHashCode (randomised per process). Two processes with
/// the same seed therefore agree on every synthetic domain and every injected fault.
/// </summary>
internal struct StableRandom
{
    private ulong _state;

    public StableRandom(ulong seed) => _state = seed;

    public StableRandom(long seed, long stream, string salt)
        : this(Mix(Mix((ulong)seed) ^ (ulong)stream) ^ Hash(salt))
    {
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, maxExclusive).</summary>
    public int Next(int maxExclusive) => (int)(NextUInt64() % (ulong)maxExclusive);

    /// <summary>Uniform in [minInclusive, maxExclusive).</summary>
    public long Next(long minInclusive, long maxExclusive) => minInclusive + (long)(NextUInt64() % (ulong)(maxExclusive - minInclusive));

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>FNV-1a over UTF-16 code units, then mixed; stable across processes.</summary>
    public static ulong Hash(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 0x100000001B3UL;
        }

        return Mix(hash);
    }

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
