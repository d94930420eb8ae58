using System.Net;
using System.Threading.RateLimiting;

namespace HeavyJobs.Web.Security;

/// <summary>
/// Slows password guessing, through the login form and through HTTP Basic alike: a few attempts per minute per user
/// name (so no one name can be tried fast from many machines) and a few more per client address (so no one machine
/// can try many names). Only failed attempts count, so people who sign in often are never held up; once either
/// limit is spent, every attempt (the right password too) is refused before the password is looked at.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    /// <summary>Attempts per user name per <see cref="Window"/>: room for a few typos.</summary>
    public const int PerUser = 5;

    /// <summary>Attempts per client address per <see cref="Window"/>: a shared proxy or office address needs more room.</summary>
    public const int PerClient = 20;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<(string Client, string User)> _limiter = PartitionedRateLimiter.CreateChained(
        PartitionedRateLimiter.Create<(string Client, string User), string>(a => RateLimitPartition.GetFixedWindowLimiter(a.Client, _ => Limit(PerClient))),
        PartitionedRateLimiter.Create<(string Client, string User), string>(a => RateLimitPartition.GetFixedWindowLimiter(a.User, _ => Limit(PerUser))));

    /// <summary>Null when the attempt may go ahead; otherwise how long to wait before the next one. Counts nothing.</summary>
    public TimeSpan? TryAttempt(IPAddress? client, string? user)
    {
        // Zero permits: whether any are left in both windows, without spending one.
        using var lease = _limiter.AttemptAcquire((client?.ToString() ?? "", user ?? ""), permitCount: 0);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : Window;
    }

    /// <summary>A wrong user name or password: spends one attempt of the client's and one of the user name's.</summary>
    public void Failed(IPAddress? client, string? user)
    {
        using var lease = _limiter.AttemptAcquire((client?.ToString() ?? "", user ?? ""));
    }

    public void Dispose() => _limiter.Dispose();

    private static FixedWindowRateLimiterOptions Limit(int permits) =>
        new() { PermitLimit = permits, Window = Window, QueueLimit = 0, AutoReplenishment = true };
}
