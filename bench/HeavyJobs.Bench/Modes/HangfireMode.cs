using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using Npgsql;

namespace HeavyJobs.Bench.Modes;

/// <summary>
/// The Hangfire baseline: N no-op jobs enqueued, then a Hangfire server with its default worker count drains
/// them. Storage: Hangfire.PostgreSql (a schema of its own) or Hangfire.InMemory. Talks to the harness over
/// stdin/stdout: "enqueued ..." then waits for "go", then "drained ...".
/// </summary>
internal static class HangfireMode
{
    public static async Task<int> RunAsync(Args args)
    {
        var jobs = args.Int("jobs", 2000);
        var storage = args.Get("storage", "postgres");
        var pollMs = args.Int("poll-ms", 0);
        if (storage == "postgres")
        {
            var options = new PostgreSqlStorageOptions { SchemaName = args.Get("schema"), PrepareSchemaIfNecessary = true };
            if (pollMs > 0)
            {
                options.QueuePollInterval = TimeSpan.FromMilliseconds(pollMs);
            }

            GlobalConfiguration.Configuration.UsePostgreSqlStorage(c => c.UseNpgsqlConnection(args.Get("db")), options);
        }
        else
        {
            GlobalConfiguration.Configuration.UseInMemoryStorage();
        }

        var started = Clock.NowUs();
        await Parallel.ForAsync(0, jobs, new ParallelOptions { MaxDegreeOfParallelism = 4 }, (_, _) =>
        {
            BackgroundJob.Enqueue(() => NoOpJob.Run());
            return ValueTask.CompletedTask;
        });
        var enqueued = Clock.NowUs();
        // Closing the pool's connections makes PostgreSQL publish their statistics now.
        NpgsqlConnection.ClearAllPools();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"enqueued {started} {enqueued} {jobs}"));
        if (await Console.In.ReadLineAsync() != "go")
        {
            return 2;
        }

        var begin = Clock.NowUs();
        long end;
        using (new BackgroundJobServer(new BackgroundJobServerOptions()))
        {
            while (Volatile.Read(ref NoOpJob.Count) < jobs)
            {
                await Task.Delay(1);
            }

            end = Clock.NowUs();
        }

        NpgsqlConnection.ClearAllPools();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drained {begin} {end} {NoOpJob.Count} {Environment.ProcessorCount}"));
        return 0;
    }
}

/// <summary>Hangfire's job: public, static, and nothing in it.</summary>
public static class NoOpJob
{
#pragma warning disable CA2211 // a counter the harness reads; Hangfire calls Run from its own workers
    public static int Count;
#pragma warning restore CA2211

    public static void Run() => Interlocked.Increment(ref Count);
}
