using HeavyJobs.Storage;
using Microsoft.Extensions.Hosting;

namespace HeavyJobs.Runtime.Hosting;

/// <summary>
/// Brings the store's schema up to date before any other service of the host starts (hosted services start in
/// the order they were added, and this one is added first); a store that cannot be reached stops the host.
/// </summary>
internal sealed class StoreMigrationService(IHeavyStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) => await store.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
