namespace HeavyJobs.Bench.Dashboard;

/// <summary>Every page of the dashboard, and the API calls behind them, with the filters an operator uses most.</summary>
internal static class Pages
{
    public static IReadOnlyList<(string Name, string Path)> For(Seeded s) =>
    [
        ("overview", "/"),
        ("jobs", "/jobs"),
        ("job", $"/jobs/{s.BigJobId}"),
        ("job, running chunks", $"/jobs/{s.BigJobId}?state=running"),
        ("job, failed chunks", $"/jobs/{s.BigJobId}?state=failed"),
        ("job, deep page", $"/jobs/{s.BigJobId}?after={s.ChunkId + 600_000}"),
        ("small job", $"/jobs/{s.SmallJobId}"),
        ("workers", "/workers"),
        ("workers, one machine", $"/workers?node={s.Node}"),
        ("throughput 1h", "/throughput?range=1h"),
        ("throughput 24h", "/throughput?range=24h"),
        ("throughput 7d", "/throughput?range=7d"),
        ("throughput 30d", "/throughput?range=30d"),
        ("throughput 30d by type", "/throughput?range=30d&by=type"),
        ("throughput 30d by stage", "/throughput?range=30d&by=stage"),
        ("aggregates", $"/jobs/{s.BigJobId}/aggregates"),
        ("actions", "/actions"),
        ("actions by kind", "/actions?kind=kill"),
        ("actions by machine", $"/actions?node={s.Node}"),
        ("actions by worker", $"/actions?worker={s.WorkerId}"),
        ("actions by chunk", $"/actions?chunk={s.ChunkId + 10}"),
        ("api overview", "/api/overview"),
        ("api jobs", "/api/jobs"),
        ("api job", $"/api/jobs/{s.BigJobId}"),
        ("api chunks", $"/api/jobs/{s.BigJobId}/chunks?limit=500"),
        ("api chunks, pending, deep", $"/api/jobs/{s.BigJobId}/chunks?state=pending&after={s.ChunkId + 800_000}"),
        ("api workers", "/api/workers"),
        ("api throughput 30d", "/api/throughput?range=30d"),
        ("api throughput 30d by stage", "/api/throughput?range=30d&by=stage"),
        ("api actions", "/api/actions?limit=500"),
        ("metrics", "/metrics"),
    ];
}
