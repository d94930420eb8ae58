namespace HeavyJobs.Bench;

/// <summary>The targets for this 2-core machine, and the ratios measured within one run.</summary>
internal static class Targets
{
    public sealed record Target(string Key, string Label, string Goal, Func<double, bool> Met);

    public static readonly IReadOnlyList<Target> All =
    [
        new("pg.burndown.chunks_per_s", "PostgreSQL burn-down, chunks/s", "≥ 30,000", v => v >= 30_000),
        new("ratio.pg_vs_ceiling", "… / bare SQL ceiling (same run)", "≥ 0.33", v => v >= 1.0 / 3),
        new("ratio.pg_vs_hangfire", "… / Hangfire.PostgreSql (same run)", "≥ 100×", v => v >= 100),
        new("pg.commits_per_chunk", "PostgreSQL commits per chunk", "≤ 0.1", v => v <= 0.1),
        new("pg.statements_per_chunk", "PostgreSQL statements per chunk", "≤ 0.5", v => v <= 0.5),
        new("sqlite.burndown.chunks_per_s", "SQLite burn-down, chunks/s", "≥ 100,000", v => v >= 100_000),
        new("ratio.sqlite_vs_ceiling", "… / bare SQL ceiling (same run)", "≥ 0.33", v => v >= 1.0 / 3),
        new("pg.pickup.p50_ms", "PostgreSQL pickup p50, ms", "≤ 5", v => v <= 5),
        new("pg.pickup.p99_ms", "PostgreSQL pickup p99, ms", "≤ 20", v => v <= 20),
        new("sqlite.pickup.p99_ms", "SQLite pickup p99, ms", "≤ 50", v => v <= 50),
        new("idle.cpu_percent", "Idle fleet CPU, % of one core", "≤ 1", v => v <= 1),
        new("idle.statements_per_s", "Idle fleet statements/s", "≤ 2", v => v <= 2),
        new("overhead.ratio", "Overhead vs plain loop", "≤ 1.10×", v => v <= 1.10),
        new("recovery.seconds", "Recovery after SIGKILL, s", "≤ 1", v => v <= 1),
        new("recovery.machine_seconds", "Whole machine SIGKILLed → its chunk running elsewhere, s", "≤ 10", v => v <= 10),
        new("fleet.pg.burndown.ratio_to_one_machine", "Three machines' burn-down / one machine's (same workers)", "≥ 1.0", v => v >= 1.0),
        new("fleet.pg.connections_per_machine", "PostgreSQL sessions per machine (10 × 8 busy workers; 4 × 8 with --quick --only fleet_conns)", "≤ 4", v => v <= 4),
        new("dashboard.max_page_ms", "Dashboard slowest page, ms", "≤ 200", v => v <= 200),
        new("pg.prune.claim_rate_ratio", "PostgreSQL claim rate during a prune / without", "≥ 0.80", v => v >= 0.8),
        new("sqlite.prune.claim_rate_ratio", "SQLite claim rate during a prune / without", "≥ 0.80", v => v >= 0.8),
        new("pg.prune.rows_over_bound", "PostgreSQL rows over their retention after a prune", "0", v => v == 0),
        new("sqlite.prune.rows_over_bound", "SQLite rows over their retention after a prune", "0", v => v == 0),
        new("pg.burndown_outputs.ratio_to_noop", "PostgreSQL one-output chunks / no-op (same run)", "≥ 0.5", v => v >= 0.5),
        new("pg.burndown_emitted.ratio_to_noop", "PostgreSQL output + emitted chunk / no-op (same run)", "≥ 0.5", v => v >= 0.5),
        new("sqlite.burndown_outputs.ratio_to_noop", "SQLite one-output chunks / no-op (same run)", "≥ 0.5", v => v >= 0.5),
        new("sqlite.burndown_emitted.ratio_to_noop", "SQLite output + emitted chunk / no-op (same run)", "≥ 0.5", v => v >= 0.5),
        new("scale.pg.ratio_to_empty", "PostgreSQL burn-down beside the seeded history / young table", "≥ 0.8", v => v >= 0.8),
        new("pilot.ratio_to_allowance", "WHOIS fetch rate / the servers' allowance (issue 17's case)", "≥ 0.9", v => v >= 0.9),
        new("pilot.max_rss_growth", "WHOIS demo's per-role peak RSS at 10 N domains / at N", "≤ 1.2", v => v <= 1.2),
        new("scale.sqlite.ratio_to_empty", "SQLite burn-down beside the seeded history / young table", "≥ 0.8", v => v >= 0.8),
    ];

    public static void DeriveRatios(Results results)
    {
        Ratio(results, "ratio.pg_vs_ceiling", "pg.burndown.chunks_per_s", "ceiling_pg.chunks_per_s");
        Ratio(results, "ratio.pg_vs_hangfire", "pg.burndown.chunks_per_s", "hangfire_pg.burndown.jobs_per_s");
        Ratio(results, "ratio.pg_vs_pgbench", "pg.burndown.chunks_per_s", "pgbench.tps");
        Ratio(results, "ratio.sqlite_vs_ceiling", "sqlite.burndown.chunks_per_s", "ceiling_sqlite.chunks_per_s");
        var overheads = new[] { "pg.overhead.ratio", "sqlite.overhead.ratio" }.Select(results.Get).OfType<double>().ToList();
        if (overheads.Count > 0)
        {
            results.Set("overhead.ratio", overheads.Max(), "the worse of PostgreSQL and SQLite");
        }
    }

    private static void Ratio(Results results, string key, string numerator, string denominator)
    {
        if (results.Get(numerator) is { } a && results.Get(denominator) is { } b && b > 0)
        {
            results.Set(key, a / b, "same run");
        }
    }
}
