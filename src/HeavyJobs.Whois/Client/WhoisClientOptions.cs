namespace HeavyJobs.Whois.Client;

/// <summary>Configuration of <see cref="WhoisClient"/>.</summary>
public sealed record WhoisClientOptions
{
    /// <summary>Time allowed to open the TCP connection (DNS included).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest silence allowed between two reads; a server that stalls mid-answer is abandoned.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Time allowed for one whole exchange, so a server dripping a byte at a time cannot hold a worker forever.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>Largest answer accepted, in bytes. Real answers are a few kB; more is a misbehaving server.</summary>
    public int MaxAnswerBytes { get; init; } = 1024 * 1024;

    /// <summary>Whether to query the server named by the registry answer (thin registries name the registrar's).</summary>
    public bool FollowReferrals { get; init; } = true;

    /// <summary>Retries after a transient failure (refused, reset, timeout, empty answer); 0 disables retrying.</summary>
    public int MaxRetryAttempts { get; init; } = 3;

    /// <summary>Delay before the first retry; later retries back off exponentially from it.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of a single retry delay.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Randomises retry delays so that many workers failing together do not retry together.</summary>
    public bool RetryJitter { get; init; } = true;

    /// <summary>Source of the jitter, a value in [0, 1); set it to make retry delays reproducible.</summary>
    public Func<double>? RetryRandomizer { get; init; }

    /// <summary>
    /// Turns (server name, domain) into the query line, without CRLF. Default: <see cref="WhoisQueryFormat.Default"/>.
    /// </summary>
    public Func<string, string, string>? QueryFormatter { get; init; }

    /// <summary>Extra rate-limit phrases (regular expressions, case-insensitive) on top of <see cref="WhoisRateLimitDetector.DefaultPatterns"/>.</summary>
    public IReadOnlyList<string> ExtraRateLimitPatterns { get; init; } = [];

    /// <summary>Replaces the phrase-based recognition of rate-limit refusals altogether (then <see cref="ExtraRateLimitPatterns"/> is ignored).</summary>
    public Func<string, bool>? RateLimitDetector { get; init; }

    internal void Validate()
    {
        if (ConnectTimeout <= TimeSpan.Zero || ReadTimeout <= TimeSpan.Zero || TotalTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(WhoisClientOptions), "WHOIS client timeouts must be positive.");
        if (MaxAnswerBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(WhoisClientOptions), MaxAnswerBytes, "MaxAnswerBytes must be positive.");
        if (MaxRetryAttempts < 0)
            throw new ArgumentOutOfRangeException(nameof(WhoisClientOptions), MaxRetryAttempts, "MaxRetryAttempts must not be negative.");
        if (RetryBaseDelay < TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay)
            throw new ArgumentOutOfRangeException(nameof(WhoisClientOptions), "Retry delays must satisfy 0 <= RetryBaseDelay <= RetryMaxDelay.");
    }
}
