using HeavyJobs.Runtime.Fleet;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Web.Operations;

/// <summary>
/// Every change an operator can make from the dashboard. Each one that happens is also written to the action
/// log with the operator's name as actor, in the change's own transaction, so the log answers "who did this" as
/// well as the system's own actions.
/// </summary>
public sealed class DashboardOperations(IOperatorStore store, IDashboardStore reads, TimeProvider time)
{
    /// <summary>The most workers a type may be scaled to on one machine, as the CLI allows.</summary>
    public const int MaxTarget = FleetControl.MaxTarget;

    /// <summary>The machine name that means the whole fleet in a scale request.</summary>
    public const string FleetWide = "*";

    public async Task<OperationResult> ResetChunkAsync(long chunkId, bool toZero, string actor, CancellationToken cancellationToken)
    {
        var chunk = await reads.ChunkGetAsync(chunkId, cancellationToken);
        if (chunk is null)
        {
            return OperationResult.NotFound($"no chunk {chunkId}");
        }

        var to = toZero ? "zero" : "its last checkpoint";
        var now = time.GetUtcNow();
        if (!await store.ChunkResetAsync(new ChunkResetParams(chunkId, toZero, actor, now, new ActionInsertParams(actor, ActionKinds.Reset, $"chunk reset to {to}", now)), cancellationToken))
        {
            return OperationResult.Conflict($"chunk {chunkId} was not reset (its job is cancelled)");
        }

        return OperationResult.Done($"chunk {chunkId} reset to {to}");
    }

    /// <summary>Rewinds a chunk to a kept checkpoint, named by number or cursor; the outputs written after it go in the same transaction.</summary>
    public async Task<OperationResult> RewindChunkAsync(long chunkId, string to, string actor, CancellationToken cancellationToken)
    {
        if (await reads.ChunkHistoryAsync(chunkId, cancellationToken) is not { JobId: > 0 } history)
        {
            return OperationResult.NotFound($"no chunk {chunkId}");
        }

        if (history.Resolve(to) is not { } number)
        {
            return OperationResult.BadRequest($"chunk {chunkId} keeps no checkpoint '{to}'");
        }

        var now = time.GetUtcNow();
        if (await store.ChunkRewindAsync(new ChunkRewindParams(chunkId, number, actor, now, new ActionInsertParams(actor, ActionKinds.Reset, "chunk rewound", now)), cancellationToken) is not { } rewound)
        {
            return OperationResult.Conflict($"chunk {chunkId} was not rewound (its checkpoint {number} is gone, or its job is cancelled)");
        }

        return OperationResult.Done($"chunk {chunkId} rewound {rewound.Describe()}");
    }

    /// <summary>Lets a quarantined chunk run again from its last checkpoint, with its count of deaths cleared.</summary>
    public async Task<OperationResult> ReleaseChunkAsync(long chunkId, string actor, CancellationToken cancellationToken)
    {
        var chunk = await reads.ChunkGetAsync(chunkId, cancellationToken);
        if (chunk is null)
        {
            return OperationResult.NotFound($"no chunk {chunkId}");
        }

        if (chunk.State != ChunkState.Quarantined)
        {
            return OperationResult.Conflict($"chunk {chunkId} is {chunk.State.ToDb()}, not quarantined");
        }

        var now = time.GetUtcNow();
        var log = new ActionInsertParams(actor, ActionKinds.Release, "chunk released from quarantine at its last checkpoint", now);
        if (!await store.ChunkResetAsync(new ChunkResetParams(chunkId, ToZero: false, actor, now, log), cancellationToken))
        {
            return OperationResult.Conflict($"chunk {chunkId} was not released (its job is cancelled)");
        }

        return OperationResult.Done($"chunk {chunkId} released from quarantine");
    }

    public async Task<OperationResult> ChangeJobAsync(long jobId, JobChange change, string actor, CancellationToken cancellationToken)
    {
        if (await reads.JobGetAsync(jobId, cancellationToken) is null)
        {
            return OperationResult.NotFound($"no job {jobId}");
        }

        var verb = change.ToString().ToLowerInvariant();
        var now = time.GetUtcNow();
        var p = new JobChangeParams(jobId, now, new ActionInsertParams(actor, verb, $"job {Past(change)}", now));
        var changed = change switch
        {
            JobChange.Cancel => await store.JobCancelAsync(p, cancellationToken),
            JobChange.Pause => await store.JobPauseAsync(p, cancellationToken),
            JobChange.Resume => await store.JobResumeAsync(p, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        if (!changed)
        {
            return OperationResult.Conflict($"job {jobId} cannot be {Past(change)} in its current state");
        }

        return OperationResult.Done($"job {jobId} {Past(change)}");
    }

    /// <summary>Stop, terminate or restart one worker: a command for its machine's monitor.</summary>
    public async Task<OperationResult> CommandWorkerAsync(long workerId, string kind, string actor, CancellationToken cancellationToken)
    {
        if (kind is not (CommandKinds.Stop or CommandKinds.Terminate or CommandKinds.Restart))
        {
            return OperationResult.BadRequest($"'{kind}' is not stop, terminate or restart");
        }

        // The store has no worker-by-id read; the live list is one indexed query.
        var worker = (await reads.WorkerListAsync(new WorkerListParams(Limit: 10_000), cancellationToken)).FirstOrDefault(w => w.Id == workerId);
        if (worker is null)
        {
            return OperationResult.NotFound($"no live worker {workerId}");
        }

        var now = time.GetUtcNow();
        var log = new ActionInsertParams(actor, kind, $"{kind} requested from the dashboard", now, worker.Node, workerId, ChunkId: worker.CurrentChunk);
        await store.CommandInsertAsync(new CommandInsertParams(worker.Node, kind, workerId, actor, now, Log: log), cancellationToken);
        return OperationResult.Done($"{kind} sent to worker {workerId} on {worker.Node}");
    }

    public async Task<OperationResult> ScaleAsync(string node, string type, int count, string actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(node) || string.IsNullOrWhiteSpace(type))
        {
            return OperationResult.BadRequest("name the machine and the type");
        }

        if (count is < 0 or > MaxTarget)
        {
            return OperationResult.BadRequest($"the count must be from 0 to {MaxTarget}");
        }

        node = node.Trim();
        type = type.Trim();
        try
        {
            if (node == FleetWide)
            {
                await FleetControl.ScaleFleetAsync(store, type, count, actor, time.GetUtcNow(), cancellationToken);
                return OperationResult.Done($"fleet: {type} = {count}");
            }

            await FleetControl.ScaleMachineAsync(store, reads, node, type, count, actor, time.GetUtcNow(), cancellationToken);
            return OperationResult.Done($"{node}: {type} = {count}");
        }
        catch (FleetRequestException ex)
        {
            return OperationResult.BadRequest(ex.Message);
        }
    }

    /// <summary>Drains (cordons) or undrains a machine.</summary>
    public async Task<OperationResult> DrainMachineAsync(string node, bool drained, string actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(node))
        {
            return OperationResult.BadRequest("name the machine");
        }

        try
        {
            var changed = await FleetControl.DrainAsync(store, reads, node.Trim(), drained, actor, time.GetUtcNow(), cancellationToken);
            return OperationResult.Done($"{node}: {(drained ? "drained" : "undrained")}{(changed ? "" : " already")}");
        }
        catch (FleetRequestException ex)
        {
            return OperationResult.BadRequest(ex.Message);
        }
    }

    private static string Past(JobChange change) => change switch
    {
        JobChange.Cancel => "cancelled",
        JobChange.Pause => "paused",
        _ => "resumed",
    };
}

public enum JobChange
{
    Cancel,
    Pause,
    Resume,
}

/// <param name="Status">The HTTP status the API answers with.</param>
public sealed record OperationResult(bool Ok, int Status, string Message)
{
    public static OperationResult Done(string message) => new(true, StatusCodes.Status200OK, message);

    public static OperationResult NotFound(string message) => new(false, StatusCodes.Status404NotFound, message);

    public static OperationResult Conflict(string message) => new(false, StatusCodes.Status409Conflict, message);

    public static OperationResult BadRequest(string message) => new(false, StatusCodes.Status400BadRequest, message);
}
