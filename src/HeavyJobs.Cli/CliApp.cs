using System.CommandLine;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Faults;
using HeavyJobs.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HeavyJobs.Cli;

/// <summary>What every command shares: the handlers, the clock, the --db option, and how errors are shown.</summary>
public sealed class CliApp(HandlerRegistry registry, TimeProvider time)
{
    public HandlerRegistry Registry { get; } = registry;

    public TimeProvider Time { get; } = time;

    public Option<string> Db { get; } = new("--db")
    {
        Description = $"A SQLite file path, or a PostgreSQL connection string (Host=…;Username=…;Database=…). Default: ${StoreFactory.EnvironmentVariable}, else {StoreFactory.DefaultPath}.",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(StoreFactory.EnvironmentVariable) is { Length: > 0 } env ? env : StoreFactory.DefaultPath,
    };

    /// <summary>
    /// Opens the store and brings its schema up to date (every command may be the first to run). A database that
    /// keeps failing is said on stderr while the store retries, rather than after its 20 s of silence.
    /// </summary>
    public async Task<IHeavyStore> OpenAsync(ParseResult parse, ILoggerFactory logging, CancellationToken cancellationToken)
    {
        var store = StoreFactory.Open(parse.GetValue(Db)!, Time, logging.CreateLogger("heavyjobs"));
        try
        {
            await store.MigrateAsync(cancellationToken);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>Logs go to stderr: stdout is for results, and for a monitored worker it is the protocol pipe.</summary>
    public static ILoggerFactory Loggers(LogLevel level) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(level)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            }));

    /// <summary>Runs a command body; turns the errors a user can fix into one clear line and exit code 2.</summary>
    public async Task<int> GuardAsync(ParseResult parse, Func<IHeavyStore, Task<int>> body, CancellationToken cancellationToken)
    {
        // Disposed last, so that what the store said is written before the command's own error.
        using var logging = Loggers(LogLevel.Warning);
        try
        {
            await using var store = await OpenAsync(parse, logging, cancellationToken);
            return await body(store);
        }
        catch (Exception ex) when (Failure(parse, ex, cancellationToken) is { } code)
        {
            return code;
        }
    }

    /// <summary>
    /// Runs roles in one host (<see cref="CliHost"/>): starts it (store migrated, options validated), then runs
    /// <paramref name="body"/> with its store, or waits for Ctrl+C or SIGTERM when there is none, and stops it.
    /// A bad option stops the host at start with a message naming the option, and exit code 2.
    /// </summary>
    public async Task<int> HostAsync(
        ParseResult parse,
        Action<HeavyJobsBuilder> roles,
        Func<IHost, IHeavyStore, CancellationToken, Task<int>>? body,
        LogLevel level,
        CancellationToken cancellationToken)
    {
        IHost? host = null;
        try
        {
            host = CliHost.Build(this, parse.GetValue(Db)!, roles, level);
            // The options first, so that a bad one is one clear line rather than the host's failed start logged in full.
            host.Services.GetService<IStartupValidator>()?.Validate();
            await host.StartAsync(cancellationToken);
            var code = 0;
            if (body is null)
            {
                await host.WaitForShutdownAsync(cancellationToken);
            }
            else
            {
                code = await body(host, host.Services.GetRequiredService<IHeavyStore>(), cancellationToken);
            }

            if (!host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.IsCancellationRequested)
            {
                await host.StopAsync(CancellationToken.None);
            }

            if (host.Services.GetService<RoleFailure>() is { Message: { } message } failure)
            {
                await Console.Error.WriteLineAsync($"error: {message}");
                return failure.ExitCode;
            }

            return code;
        }
        catch (Exception ex) when (Failure(parse, ex, cancellationToken) is { } code)
        {
            return code;
        }
        finally
        {
            if (host is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
            else
            {
                host?.Dispose();
            }
        }
    }

    /// <summary>The errors a user can fix, as one line on stderr and an exit code; null for the rest.</summary>
    private int? Failure(ParseResult parse, Exception ex, CancellationToken cancellationToken)
    {
        switch (ex)
        {
            case JobDefinitionException or UnknownJobTypeException or UserError:
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            case OptionsValidationException invalid:
                foreach (var failure in invalid.Failures)
                {
                    Console.Error.WriteLine($"error: {failure}");
                }

                return 2;
            case AggregateException { InnerExceptions: var inner } when inner.All(e => e is OptionsValidationException):
                foreach (var failure in inner.Cast<OptionsValidationException>().SelectMany(e => e.Failures))
                {
                    Console.Error.WriteLine($"error: {failure}");
                }

                return 2;
            case InvalidOperationException:
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            case System.Data.Common.DbException or ArgumentException or IOException or UnauthorizedAccessException:
                Console.Error.WriteLine($"error: {StoreFactory.Describe(parse.GetValue(Db)!)}: {StoreErrorText.WithCauses(ex)}");
                return 3;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return 130;
            default:
                return null;
        }
    }
}

/// <summary>Cancelled on Ctrl+C (SIGINT) or SIGTERM, so long-running commands drain instead of dying mid-write.</summary>
public sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly System.Runtime.InteropServices.PosixSignalRegistration _int;
    private readonly System.Runtime.InteropServices.PosixSignalRegistration _term;

    public StopSignal(CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _int = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Handle);
        _term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Handle);
    }

    public CancellationToken Token => _stop.Token;

    public void Cancel() => _stop.Cancel();

    public void Dispose()
    {
        _int.Dispose();
        _term.Dispose();
        _stop.Dispose();
    }

    private void Handle(System.Runtime.InteropServices.PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }
}

/// <summary>A mistake in what the user asked for, shown as one line without a stack trace.</summary>
public sealed class UserError(string message) : Exception(message);
