using System.Net;
using System.Threading.RateLimiting;

namespace HeavyJobs.Web.Security;

/// <summary>
/// Slows password guessing, through the login form and through HTTP Basic alike: a few attempts per minute per user
/// name (so no one name can be tried fast from many machines) and a few more per client address (so no one machine
/// can try many names). An attempt over either limit is refused before the password is looked at.
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

    /// <summary>Null when the attempt may go ahead; otherwise how long to wait before the next one.</summary>
    public TimeSpan? TryAttempt(IPAddress? client, string? user)
    {
        using var lease = _limiter.AttemptAcquire((client?.ToString() ?? "", user ?? ""));
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : Window;
    }

    public void Dispose() => _limiter.Dispose();

    private static FixedWindowRateLimiterOptions Limit(int permits) =>
        new() { PermitLimit = permits, Window = Window, QueueLimit = 0, AutoReplenishment = true };
}
