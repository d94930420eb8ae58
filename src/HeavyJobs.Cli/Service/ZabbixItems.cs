using System.Text.Json;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Cli.Service;

/// <summary>
/// The values of HeavyJobs' Zabbix items, read from the store as <c>workers ps</c> and <c>status</c> read it: each a
/// plain number (or discovery JSON) on one line, which is what a UserParameter hands the agent.
/// </summary>
public static class ZabbixItems
{
    /// <summary>A monitor rewrites its machine's row every 10 s; three missed rewrites and more make it down.</summary>
    public static readonly TimeSpan MachineUpWithin = TimeSpan.FromSeconds(45);

    /// <summary>Live workers in a state (busy, idle, or all), on one machine and of one type when given (empty: every one).</summary>
    public static async Task<long> WorkersAsync(IDashboardStore store, string state, string? node, string? type, CancellationToken ct)
    {
        Func<WorkerState, bool> wanted = state switch
        {
            "busy" => s => s == WorkerState.Busy,
            "idle" => s => s == WorkerState.Idle,
            "all" or "" => _ => true,
            _ => throw new UserError($"workers takes busy, idle or all, not '{state}'"),
        };
        var rows = await store.WorkerListAsync(new WorkerListParams(Blank(node), Limit: 10_000), ct);
        return rows.Count(w => wanted(w.State) && (Blank(type) is not { } t || w.Types.Contains(t)));
    }

    /// <summary>Chunks of active jobs waiting to run (pending, or waiting behind a barrier), of one type when given.</summary>
    public static async Task<long> BacklogAsync(IDashboardStore store, string? type, CancellationToken ct)
    {
        var backlog = 0L;
        foreach (var job in (await store.JobListAsync(new JobListParams(Limit: 10_000, State: JobState.Active, Counts: false), ct)).Select(j => j.Job))
        {
            var counts = await store.JobStageCountsAsync(new JobStageCountsParams(job.Id, DateTimeOffset.UnixEpoch), ct);
            backlog += counts
                .Where(c => c.State is ChunkState.Pending or ChunkState.Waiting)
                .Where(c => Blank(type) is not { } t || (c.Stage < job.Stages.Count && job.Stages[c.Stage].Type == t))
                .Sum(c => c.Chunks);
        }

        return backlog;
    }

    public static async Task<long> MachinesUpAsync(IDashboardStore store, DateTimeOffset now, CancellationToken ct) =>
        (await store.NodeListAsync(ct)).Count(n => now - n.HeartbeatAt <= MachineUpWithin);

    /// <summary>Low-level discovery: every machine and type that has a target or a live worker, as {#NODE} and {#TYPE}.</summary>
    public static async Task<string> DiscoveryAsync(IDashboardStore store, CancellationToken ct)
    {
        var pairs = (await store.WorkerTargetListAsync(null, ct)).Select(t => (t.Node, t.Type))
            .Concat((await store.WorkerListAsync(new WorkerListParams(Limit: 10_000), ct)).SelectMany(w => w.Types.Select(t => (w.Node, Type: t))))
            .Distinct()
            .OrderBy(p => p.Node, StringComparer.Ordinal)
            .ThenBy(p => p.Item2, StringComparer.Ordinal);
        return JsonSerializer.Serialize(pairs.Select(p => new Dictionary<string, string> { ["{#NODE}"] = p.Node, ["{#TYPE}"] = p.Item2 }));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
