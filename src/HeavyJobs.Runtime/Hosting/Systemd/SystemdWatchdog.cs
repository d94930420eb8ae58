using System.Globalization;
using HeavyJobs.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Hosting.Systemd;

/// <summary>
/// Pings systemd's watchdog (<c>WATCHDOG=1</c>) at half the unit's <c>WatchdogSec=</c> while the host is healthy: it
/// has started, its timers still fire, and the store answered a small read within the period. A process that hangs,
/// or has lost its store for a whole watchdog period, is restarted by systemd (and its chunks return at once).
/// </summary>
internal sealed partial class SystemdWatchdog(
    ISystemdNotifier notifier,
    IDashboardStore store,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<SystemdWatchdog> log) : BackgroundService
{
    /// <summary>The period systemd asked for in WATCHDOG_USEC, halved; null when there is no watchdog for this process.</summary>
    public static TimeSpan? PingInterval()
    {
        if (Environment.GetEnvironmentVariable("WATCHDOG_PID") is { Length: > 0 } pid && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec / 2.0)
            : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (PingInterval() is not { } interval)
        {
            return;
        }

        // No ping before readiness: until then systemd's start timeout is what bounds a slow start.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task;
        }

        using var timer = new PeriodicTimer(interval, time);
        do
        {
            if (await HealthyAsync(interval, stoppingToken))
            {
                notifier.Notify(new ServiceState("WATCHDOG=1"));
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<bool> HealthyAsync(TimeSpan within, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(within, time);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            await store.NodeListAsync(bounded.Token);
            return true;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            StoreUnhealthy(ex.Message);
            return false;
        }
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Warning, Message = "watchdog: the store did not answer ({Reason}); not pinging systemd")]
    private partial void StoreUnhealthy(string reason);
}
