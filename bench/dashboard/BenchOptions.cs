using System.Globalization;

namespace HeavyJobs.Bench.Dashboard;

/// <summary>What to seed and how often to ask each page. Defaults are the scale the dashboard promises to serve.</summary>
internal sealed record BenchOptions
{
    public const int DefaultChunks = 1_000_000;
    public const int DefaultWorkers = 100;
    public const int DefaultDays = 30;
    public const int DefaultRuns = 7;

    /// <summary>"sqlite" or "postgres".</summary>
    public string Store { get; init; } = "sqlite";

    /// <summary>A SQLite path or a PostgreSQL connection string; by default a temporary file, or $HEAVYJOBS_TEST_POSTGRES in a schema of its own.</summary>
    public string? Db { get; init; }

    public int Chunks { get; init; } = DefaultChunks;

    public int Workers { get; init; } = DefaultWorkers;

    /// <summary>Days of per-minute throughput rows for every worker.</summary>
    public int Days { get; init; } = DefaultDays;

    /// <summary>Timed requests per page, after one warm-up request.</summary>
    public int Runs { get; init; } = DefaultRuns;

    /// <summary>Keep the seeded database (SQLite file or PostgreSQL schema) instead of removing it.</summary>
    public bool Keep { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--store" => o with { Store = Next() },
                "--db" => o with { Db = Next() },
                "--chunks" => o with { Chunks = Int() },
                "--workers" => o with { Workers = Int() },
                "--days" => o with { Days = Int() },
                "--runs" => o with { Runs = Int() },
                "--keep" => o with { Keep = true },
                _ => throw new ArgumentException($"unknown option {args[i]}; options: --store sqlite|postgres --db DB --chunks N --workers N --days N --runs N --keep"),
            };
        }

        return o.Store is "sqlite" or "postgres" ? o : throw new ArgumentException("--store is sqlite or postgres");
    }
}
