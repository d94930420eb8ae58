using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace HeavyJobs.Runtime.Hosting.Systemd;

/// <summary>
/// Running as a systemd service (<c>Type=notify</c>): the host tells systemd it is ready only once every hosted
/// service has started, and the store's migration is the first of them, so readiness means the store is reachable
/// and migrated. A unit with <c>WatchdogSec=</c> gets <c>WATCHDOG=1</c> pings while the store still answers.
/// Outside systemd this changes nothing.
/// </summary>
public static class HeavyJobsSystemdExtensions
{
    public static HeavyJobsBuilder AddSystemd(this HeavyJobsBuilder builder)
    {
        // A worker's parent is its monitor, not systemd: it neither notifies nor pings (systemd would ignore it).
        if (MonitoredProcess.IsWorker || !SystemdHelpers.IsSystemdService())
        {
            return builder;
        }

        builder.Services.AddSystemd();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SystemdWatchdog>());
        return builder;
    }
}
