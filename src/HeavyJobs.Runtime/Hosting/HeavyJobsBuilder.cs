using System.Diagnostics.CodeAnalysis;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Runtime.Jobs;
using HeavyJobs.Runtime.Manager;
using HeavyJobs.Runtime.Monitor;
using HeavyJobs.Runtime.Worker;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HeavyJobs.Runtime.Hosting;

/// <summary>
/// Chooses the roles a host runs and the handlers it knows. Each role is hosted services: the worker claims and
/// runs chunks; the monitor runs this machine's worker processes; the manager runs the fleet's duties. A process
/// that a monitor started as a worker ignores the other roles (<see cref="MonitoredProcess"/>).
/// </summary>
public sealed class HeavyJobsBuilder
{
    /// <summary>How long a host with a monitor waits for it to stop: room for a stop grace of up to a minute and the kills after it.</summary>
    public static readonly TimeSpan DrainBound = TimeSpan.FromMinutes(2);

    internal HeavyJobsBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }

    /// <summary>Registers a handler for a job type; it is made through the container, so it may take services.</summary>
    public HeavyJobsBuilder AddHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(string type, HandlerOptions? options = null)
        where THandler : class, IChunkHandler
    {
        Services.AddSingleton(new HandlerSetup((registry, sp) => registry.Add(type, () => ActivatorUtilities.CreateInstance<THandler>(sp), options)));
        return this;
    }

    /// <summary>Registers handlers through the registry's builder (for packages that bring several, such as the demo's).</summary>
    public HeavyJobsBuilder AddHandlers(Action<HandlerRegistry.Builder> register)
    {
        Services.AddSingleton(new HandlerSetup((registry, _) => register(registry)));
        return this;
    }

    /// <summary>A worker in this process: claims and runs chunks of its types (under a monitor, over its pipes).</summary>
    public HeavyJobsBuilder AddWorker(Action<WorkerOptions>? configure = null)
    {
        Options<WorkerOptions, WorkerOptionsValidator>(Services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptionsValidator.Section), configure);
        Services.AddHostedService<WorkerService>();
        return this;
    }

    /// <summary>This machine's monitor: starts, watches, stops and replaces worker processes as the store says.</summary>
    public HeavyJobsBuilder AddMonitor(Action<MonitorOptions>? configure = null)
    {
        if (MonitoredProcess.IsWorker)
        {
            return this;
        }

        Options<MonitorOptions, MonitorOptionsValidator>(Services.AddOptions<MonitorOptions>().BindConfiguration(MonitorOptionsValidator.Section), configure).PostConfigure<IOptions<StoreOptions>>((monitor, store) =>
        {
            if (string.IsNullOrEmpty(monitor.Db))
            {
                monitor.Db = store.Value.Connection ?? "";
                monitor.StoreKind ??= store.Value.Kind;
            }
        });
        // The host waits for the monitor's workers to drain (their stop grace, then kills) before it gives up on a
        // stop. A fixed bound: reading the monitor's options here would validate them when the host is built.
        Services.Configure<HostOptions>(host => host.ShutdownTimeout = host.ShutdownTimeout < DrainBound ? DrainBound : host.ShutdownTimeout);
        Services.AddHostedService<MonitorService>();
        return this;
    }

    /// <summary>The fleet's manager: pipelines, job roll-up, expired leases, schedules and roll-ups, each a duty of its own.</summary>
    public HeavyJobsBuilder AddManager(Action<ManagerOptions>? configure = null)
    {
        if (MonitoredProcess.IsWorker)
        {
            return this;
        }

        Options<ManagerOptions, ManagerOptionsValidator>(Services.AddOptions<ManagerOptions>().BindConfiguration(ManagerOptions.Section), configure);
        Services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ManagerOptions>>().Value);
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IManagerDuty, StageAdvanceDuty>());
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IManagerDuty, JobRollupDuty>());
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IManagerDuty, LeaseReclaimDuty>());
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IManagerDuty, ScheduleDuty>(sp => new ScheduleDuty(
            new ScheduleRunner(sp.GetRequiredService<IMaintenanceStore>(), SubmitFor(sp)),
            sp.GetRequiredService<ManagerOptions>())));
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IManagerDuty, RollupDuty>());
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IManagerDuty, MachineWatchDuty>());
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IManagerDuty, FleetSpreadDuty>());
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IManagerDuty, PruneDuty>());
        Services.AddHostedService<ManagerService>();
        return this;
    }

    /// <summary>
    /// A role's options bound from its configuration section (by the caller, where the type is known, so that the
    /// binder's generated code does it rather than reflection), then the code's settings, validated at start.
    /// </summary>
    // The annotations keep the constructors the container and the options factory reach by reflection in a trimmed build.
    private OptionsBuilder<T> Options<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(OptionsBuilder<T> options, Action<T>? configure)
        where T : class
        where TValidator : class, IValidateOptions<T>
    {
        if (configure is not null)
        {
            options.Configure(configure);
        }

        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, TValidator>());
        return options.ValidateOnStart();
    }

    private static ScheduledSubmit SubmitFor(IServiceProvider sp) =>
        async (definition, source, fire, ct) => (await JobSubmitter.SubmitAsync(
            sp.GetRequiredService<IHeavyStore>(),
            sp.GetRequiredService<HandlerRegistry>(),
            definition,
            source,
            Environment.CurrentDirectory,
            sp.GetRequiredService<TimeProvider>(),
            fire,
            ct)).JobId;
}

internal sealed class MonitorService(
    IMonitorStore store,
    HandlerRegistry registry,
    IOptions<MonitorOptions> options,
    TimeProvider time,
    ILoggerFactory loggers,
    RoleFailure failure,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var monitor = new HeavyMonitor(store, registry, options.Value, time, loggers);
            await monitor.RunAsync(stoppingToken);
            if (monitor.SwitchedTo is { } version)
            {
                failure.Set($"monitor switched to version {version} for a deploy: exit {RoleFailure.Redeploy}, to be started again from the install root's current", RoleFailure.Redeploy);
                lifetime.StopApplication();
            }
        }
        catch (MachineNameTakenException ex)
        {
            // Not a crash: the host stops and says why, with an exit code of its own.
            failure.Set(ex.Message, RoleFailure.NameTaken);
            lifetime.StopApplication();
        }
    }
}

internal sealed class ManagerService(IMaintenanceStore store, IEnumerable<IManagerDuty> duties, ManagerOptions options, TimeProvider time, ILoggerFactory loggers) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new HeavyManager(store, duties, options, time, loggers).RunAsync(stoppingToken);
}
