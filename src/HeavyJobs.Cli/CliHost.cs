using HeavyJobs.Runtime.Hosting;
using HeavyJobs.Runtime.Hosting.Systemd;
using HeavyJobs.Storage.Postgres;
using HeavyJobs.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Cli;

/// <summary>
/// The host every long-running command runs its roles in: the commands only choose roles and map their flags to
/// options. Settings come from the flags, then from environment variables (<c>HeavyJobs__Monitor__Lease=00:00:45</c>);
/// logs go to stderr, since stdout is for results and, in a monitored worker, the protocol pipe.
/// </summary>
internal static class CliHost
{
    public static IHost Build(CliApp app, string db, Action<HeavyJobsBuilder> roles, LogLevel level)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Environment.CurrentDirectory });
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.SetMinimumLevel(level)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            })
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton(app.Time);
        // The executable's handlers: the host uses this registry rather than building its own.
        builder.Services.AddSingleton(app.Registry);
        // Under systemd (a unit of heavyjobs service install): readiness after migration, and watchdog pings.
        roles(builder.Services.AddHeavyJobs(o =>
        {
            o.AddSqlite().AddPostgres();
            if (StoreFactory.IsPostgres(db))
            {
                o.UsePostgres(db);
            }
            else
            {
                o.UseSqlite(db);
            }
        }).AddSystemd());
        return builder.Build();
    }
}
