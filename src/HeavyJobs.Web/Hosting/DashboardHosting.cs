using HeavyJobs.Runtime.Hosting;
using HeavyJobs.Storage;
using Microsoft.Extensions.Options;

namespace HeavyJobs.Web.Hosting;

/// <summary>The dashboard role: <c>AddHeavyJobs(...).AddDashboard(o => o.Urls = "http://127.0.0.1:8080")</c>.</summary>
public static class DashboardHosting
{
    public const string Section = "HeavyJobs:Dashboard";

    /// <summary>
    /// Serves the dashboard, its JSON API and /metrics from this host, over the host's store (its reads, operator
    /// actions and roll-ups only). Options are bound from <see cref="Section"/>; off loopback without users the host
    /// refuses to start. An <paramref name="optional"/> dashboard that cannot listen (its port taken) is logged and
    /// left out instead of stopping the host.
    /// </summary>
    public static HeavyJobsBuilder AddDashboard(this HeavyJobsBuilder builder, Action<WebOptions>? configure = null, bool optional = false)
    {
        if (MonitoredProcess.IsWorker)
        {
            return builder;
        }

        var options = builder.Services.AddOptions<WebOptions>().BindConfiguration(Section);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddSingleton(new DashboardUrls(optional));
        builder.Services.AddHostedService<DashboardService>();
        return builder;
    }
}

/// <summary>Runs the dashboard's web application for as long as the host runs.</summary>
internal sealed class DashboardService(IHeavyStore store, IOptions<WebOptions> options, DashboardUrls urls, TimeProvider time, ILogger<DashboardService> log) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _app = HeavyJobsWeb.Build(store, options.Value, time);
            await _app.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (urls.Optional && ex is IOException or InvalidOperationException)
        {
            log.LogWarning("Dashboard not started: {Reason}", ex.Message);
            await DisposeAsync();
            _app = null;
            return;
        }

        urls.Urls = [.. _app.Urls];
        log.LogInformation("Dashboard: {Urls}", string.Join(", ", _app.Urls));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>Where this host's dashboard listens once started (a port of 0 resolved); empty if it did not start.</summary>
public sealed class DashboardUrls(bool optional)
{
    public bool Optional { get; } = optional;

    public IReadOnlyList<string> Urls { get; internal set; } = [];
}
