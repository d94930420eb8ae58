using HeavyJobs.Core.Handlers;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace HeavyJobs.Runtime.Hosting;

/// <summary>
/// HeavyJobs on Microsoft.Extensions.Hosting:
/// <code>
/// builder.Services.AddHeavyJobs(o => o.UseSqlite("jobs.db"))
///     .AddHandler&lt;MyHandler&gt;("my.type")
///     .AddMonitor()
///     .AddManager();
/// </code>
/// The store is opened once per host and migrated before any role starts. Options are bound from the
/// configuration sections <c>HeavyJobs:Store</c>, <c>HeavyJobs:Worker</c>, <c>HeavyJobs:Monitor</c> and
/// <c>HeavyJobs:Manager</c>, own their defaults, and are validated when the host starts: a bad value stops it with
/// a message naming the option. A process that a monitor started as a worker runs the worker role alone.
/// </summary>
public static class HeavyJobsServiceCollectionExtensions
{
    public static HeavyJobsBuilder AddHeavyJobs(this IServiceCollection services, Action<StoreOptions>? configure = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RoleFailure>();
        var store = services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.Section);
        if (configure is not null)
        {
            store.Configure(configure);
        }

        if (MonitoredProcess.IsWorker)
        {
            // The monitor names the store its workers use: whatever the application's own settings say.
            store.PostConfigure(o =>
            {
                o.Connection = Environment.GetEnvironmentVariable(WorkerEnvironment.Db) is { Length: > 0 } db ? db : o.Connection;
                o.Kind = Environment.GetEnvironmentVariable(WorkerEnvironment.Store) is { Length: > 0 } kind ? kind : o.Kind;
            });
        }

        store.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<StoreOptions>>().Value.Open(sp.GetRequiredService<TimeProvider>(), sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<IWorkerStore>(sp => sp.GetRequiredService<IHeavyStore>());
        services.TryAddSingleton<IMonitorStore>(sp => sp.GetRequiredService<IHeavyStore>());
        services.TryAddSingleton<IOperatorStore>(sp => sp.GetRequiredService<IHeavyStore>());
        services.TryAddSingleton<IDashboardStore>(sp => sp.GetRequiredService<IHeavyStore>());
        services.TryAddSingleton<IMaintenanceStore>(sp => sp.GetRequiredService<IHeavyStore>());
        services.TryAddSingleton<IRollupStore>(sp => sp.GetRequiredService<IHeavyStore>());
        services.TryAddSingleton(sp =>
        {
            var registry = HandlerRegistry.CreateBuilder();
            foreach (var setup in sp.GetServices<HandlerSetup>())
            {
                setup.Apply(registry, sp);
            }

            return registry.Build();
        });

        services.TryAddSingleton<HeavyJobsClient>();

        // Added before any role's service, so the schema is up to date before any of them starts. A worker whose
        // monitor makes its store calls opens no store: its monitor migrated it before starting it.
        if (!MonitoredProcess.StoreThroughMonitor)
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, StoreMigrationService>());
        }

        var builder = new HeavyJobsBuilder(services);
        if (MonitoredProcess.IsWorker)
        {
            // Stdout is the protocol pipe to the monitor: every log line goes to stderr, which the monitor keeps.
            services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.AddWorker();
        }

        return builder;
    }
}

/// <summary>Registers handlers into the host's registry; kept as a service so that every call adds to one registry.</summary>
public sealed class HandlerSetup(Action<HandlerRegistry.Builder, IServiceProvider> apply)
{
    public void Apply(HandlerRegistry.Builder registry, IServiceProvider services) => apply(registry, services);
}

/// <summary>Turns <see cref="StoreOptions.Validate"/> into the message a failed start shows.</summary>
internal sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options) =>
        options.Validate() is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
}
