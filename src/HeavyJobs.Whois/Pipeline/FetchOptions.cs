using System.Text.Json;

namespace HeavyJobs.Whois.Pipeline;

/// <summary>The fetch stage's settings, read from the job's parameters (camelCase names), each with its default.</summary>
internal sealed record FetchOptions
{
    public const double DefaultRatePerServer = 4;
    public const int DefaultConcurrencyPerServer = 2;
    public const int DefaultEvery = 10;
    public const int DefaultPushBackPauseMs = 2000;
    public const int DefaultMaxInFlight = 64;
    public const int DefaultReadTimeoutMs = 10_000;

    /// <summary>Query starts per second per server, across the fleet (<c>ratePerServer</c>).</summary>
    public double RatePerServer { get; init; } = DefaultRatePerServer;

    /// <summary>Queries in flight at once per server, across the fleet (<c>concurrencyPerServer</c>).</summary>
    public int ConcurrencyPerServer { get; init; } = DefaultConcurrencyPerServer;

    /// <summary>Domains per checkpoint, each checkpoint emitting one parse chunk (<c>every</c>).</summary>
    public int Every { get; init; } = DefaultEvery;

    /// <summary>How long the fleet leaves a server alone after it says its limit is exceeded (<c>pushBackPauseMs</c>).</summary>
    public TimeSpan PushBackPause { get; init; } = TimeSpan.FromMilliseconds(DefaultPushBackPauseMs);

    /// <summary>The cap on one fetcher's queries in flight at once, over all servers (<c>maxInFlight</c>).</summary>
    public int MaxInFlight { get; init; } = DefaultMaxInFlight;

    /// <summary>How long a server may stay silent while answering before the query fails (<c>readTimeoutMs</c>).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromMilliseconds(DefaultReadTimeoutMs);

    public static FetchOptions From(JsonElement p)
    {
        var options = new FetchOptions
        {
            RatePerServer = p.TryGetProperty("ratePerServer", out var r) ? r.GetDouble() : DefaultRatePerServer,
            ConcurrencyPerServer = p.TryGetProperty("concurrencyPerServer", out var c) ? c.GetInt32() : DefaultConcurrencyPerServer,
            Every = p.TryGetProperty("every", out var e) ? e.GetInt32() : DefaultEvery,
            PushBackPause = TimeSpan.FromMilliseconds(p.TryGetProperty("pushBackPauseMs", out var pb) ? pb.GetInt32() : DefaultPushBackPauseMs),
            MaxInFlight = p.TryGetProperty("maxInFlight", out var m) ? m.GetInt32() : DefaultMaxInFlight,
            ReadTimeout = TimeSpan.FromMilliseconds(p.TryGetProperty("readTimeoutMs", out var rt) ? rt.GetInt32() : DefaultReadTimeoutMs),
        };
        if (options.RatePerServer <= 0 || options.ConcurrencyPerServer < 1 || options.Every < 1 || options.MaxInFlight < 1 || options.ReadTimeout <= TimeSpan.Zero)
            throw new ArgumentException("whois.fetch parameters: ratePerServer must be positive, and concurrencyPerServer, every, maxInFlight and readTimeoutMs at least 1.");
        return options;
    }
}
