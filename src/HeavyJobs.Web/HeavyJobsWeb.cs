using HeavyJobs.Storage;
using HeavyJobs.Web.Api;
using HeavyJobs.Web.Assets;
using HeavyJobs.Web.Metrics;
using HeavyJobs.Web.Operations;
using HeavyJobs.Web.Queries;
using HeavyJobs.Web.Rendering;
using HeavyJobs.Web.Security;
using Prometheus;

namespace HeavyJobs.Web;

/// <summary>
/// The web dashboard, its JSON API and its Prometheus metrics, as an app the heavyjobs executable hosts:
/// <code>
/// await using var app = HeavyJobsWeb.Build(store, new WebOptions { Urls = "http://127.0.0.1:8080" }, TimeProvider.System);
/// await app.RunAsync(cancellationToken);
/// </code>
/// The caller owns the store and disposes it after the app.
/// </summary>
public static class HeavyJobsWeb
{
    /// <summary>
    /// The dashboard is handed only the store's reads, operator actions and roll-ups (for
    /// <see cref="WebOptions.RecountOnRead"/>): never claims, checkpoints or the manager's duties.
    /// </summary>
    /// <exception cref="InvalidOperationException">Asked to listen beyond loopback with no users or no allowed host
    /// names configured, or to answer any host name without users.</exception>
    public static WebApplication Build<TStore>(TStore store, WebOptions options, TimeProvider time, string[]? args = null)
        where TStore : IDashboardStore, IOperatorStore, IRollupStore
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args ?? [],
            // Pages and views are compiled into this assembly; the host's own name would hide them.
            ApplicationName = typeof(HeavyJobsWeb).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Options.Urls wins over ASPNETCORE_URLS and --urls, so the check below sees what will really be bound.
        builder.WebHost.UseUrls(options.Urls);
        var listening = ListenAddresses.Configured(options.Urls, builder.Configuration);
        RefuseOpenWithoutAuthentication(options, listening);
        builder.Services.AddHeavyJobsHostFiltering(HostAllowList.For(options, listening));

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton<IDashboardStore>(store);
        builder.Services.AddSingleton<IOperatorStore>(store);
        builder.Services.AddSingleton<IRollupStore>(store);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton<DashboardQueries>();
        builder.Services.AddSingleton<DashboardRollups>();
        builder.Services.AddSingleton<DashboardOperations>();
        builder.Services.AddSingleton<FleetMetrics>();
        builder.Services.AddSingleton<AntiforgeryFilter>();
        builder.Services.AddHeavyJobsSecurity(options);
        builder.Services.AddRazorPages();
        // Binding failures reach RequestLimits as exceptions with their message, to be answered with it.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = WebJson.Web.PropertyNamingPolicy;
            foreach (var converter in WebJson.Web.Converters)
            {
                o.SerializerOptions.Converters.Add(converter);
            }
        });
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "HeavyJobs dashboard API";
            document.Info.Description = "Reads are GET; changes are POST, need the operator role, and need the antiforgery header (from GET /api/session) unless sent with a bearer token.";
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.Use(ServerTiming);
        app.Use(SecurityHeaders);
        app.Use(new RequestLimits(options).InvokeAsync);
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealth();
        app.MapAssets();
        app.MapReadApi();
        app.MapWriteApi();
        app.MapOpenApi();
        var metrics = app.MapMetrics("/metrics", app.Services.GetRequiredService<FleetMetrics>().Registry);
        if (!options.MetricsRequireAuthentication)
        {
            metrics.AllowAnonymous();
        }

        app.MapRazorPages();
        return app;
    }

    private static void RefuseOpenWithoutAuthentication(WebOptions options, IReadOnlyList<string> urls)
    {
        if (options.AuthenticationEnabled)
        {
            return;
        }

        var open = ListenAddresses.NonLoopback(urls);
        if (open.Count > 0)
        {
            throw new InvalidOperationException(
                $"Refusing to start the dashboard on {string.Join(", ", open)} without authentication: anyone who can reach that address " +
                "could steer every job and worker. Configure users (WebOptions.Users, with a password hash or an API token), " +
                "or listen on a loopback address such as http://127.0.0.1:8080.");
        }
    }

    /// <summary>
    /// Says how long the server took, up to the moment the headers go out, as <c>Server-Timing: app;dur=MS</c>:
    /// what bench/dashboard measures. Pages and API answers are written in one piece, so that is nearly all of it.
    /// </summary>
    private static Task ServerTiming(HttpContext context, RequestDelegate next)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        context.Response.OnStarting(() =>
        {
            var ms = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            context.Response.Headers["Server-Timing"] = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"app;dur={ms:0.0}");
            return Task.CompletedTask;
        });
        return next(context);
    }

    /// <summary>No framing, no sniffing, scripts and styles only from this site: data shown on a page cannot run.</summary>
    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        return next(context);
    }
}
