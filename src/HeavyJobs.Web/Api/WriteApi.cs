using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Web.Operations;
using HeavyJobs.Web.Security;

namespace HeavyJobs.Web.Api;

/// <summary>The JSON API's changes: POST only, operators only, each with the antiforgery token (or a bearer token).</summary>
internal static class WriteApi
{
    public static void MapWriteApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api")
            .WithTags("change")
            .RequireAuthorization(WebClaims.OperatorPolicy)
            .AddEndpointFilter<AntiforgeryFilter>()
            .DisableAntiforgery();

        api.MapPost("/chunks/{id:long}/reset", (DashboardOperations ops, HttpContext http, long id, string? to, ResetRequest? body, CancellationToken ct) =>
            {
                var target = body?.To ?? to ?? "checkpoint";
                return target is "zero" or "checkpoint"
                    ? Answer(ops.ResetChunkAsync(id, target == "zero", http.User.Actor(), ct))
                    : Task.FromResult(Answer(OperationResult.BadRequest("to must be zero or checkpoint")));
            })
            .WithSummary("Reset a chunk to zero (progress and outputs cleared) or to its last checkpoint (only the holder dropped).");

        api.MapPost("/chunks/{id:long}/rewind", (DashboardOperations ops, HttpContext http, long id, string? to, RewindRequest? body, CancellationToken ct) =>
                (body?.To ?? to) is { Length: > 0 } target
                    ? Answer(ops.RewindChunkAsync(id, target, http.User.Actor(), ct))
                    : Task.FromResult(Answer(OperationResult.BadRequest("to must name a kept checkpoint: its number (0 is the start) or its cursor"))))
            .WithSummary("Rewind a chunk to a kept checkpoint (number, or cursor): the outputs written after it are removed, its holder fenced off.");

        api.MapPost("/chunks/{id:long}/release", (DashboardOperations ops, HttpContext http, long id, CancellationToken ct) =>
                Answer(ops.ReleaseChunkAsync(id, http.User.Actor(), ct)))
            .WithSummary("Let a quarantined chunk run again from its last checkpoint, its count of deaths cleared.");

        api.MapPost("/chunks/reset", (DashboardOperations ops, WebOptions options, HttpContext http, BulkChunksRequest body, CancellationToken ct) =>
                body.To is null or "zero" or "checkpoint"
                    ? Bulk(options, body, (id, token) => ops.ResetChunkAsync(id, body.To == "zero", http.User.Actor(), token), ct)
                    : Task.FromResult(Answer(OperationResult.BadRequest("to must be zero or checkpoint"))))
            .WithSummary("Reset many chunks at once ({\"ids\":[...],\"to\":\"zero|checkpoint\"}), at most WebOptions.MaxBulkChunks (100) per request.");

        api.MapPost("/chunks/release", (DashboardOperations ops, WebOptions options, HttpContext http, BulkChunksRequest body, CancellationToken ct) =>
                Bulk(options, body, (id, token) => ops.ReleaseChunkAsync(id, http.User.Actor(), token), ct))
            .WithSummary("Release many quarantined chunks at once ({\"ids\":[...]}), at most WebOptions.MaxBulkChunks (100) per request.");

        foreach (var change in Enum.GetValues<JobChange>())
        {
            api.MapPost($"/jobs/{{id:long}}/{change.ToString().ToLowerInvariant()}", (DashboardOperations ops, HttpContext http, long id, CancellationToken ct) =>
                    Answer(ops.ChangeJobAsync(id, change, http.User.Actor(), ct)))
                .WithSummary($"{change} a job; the change reaches every stage's chunks.");
        }

        foreach (var kind in new[] { CommandKinds.Stop, CommandKinds.Terminate, CommandKinds.Restart })
        {
            api.MapPost($"/workers/{{id:long}}/{kind}", (DashboardOperations ops, HttpContext http, long id, CancellationToken ct) =>
                    Answer(ops.CommandWorkerAsync(id, kind, http.User.Actor(), ct)))
                .WithSummary($"Ask the worker's monitor to {kind} it.");
        }

        api.MapPost("/nodes/{node}/drain", (DashboardOperations ops, HttpContext http, string node, CancellationToken ct) =>
                Answer(ops.DrainMachineAsync(node, true, http.User.Actor(), ct)))
            .WithSummary("Drain (cordon) a machine: its workers checkpoint and leave, none start there, its share of fleet targets goes to the others.");

        api.MapPost("/nodes/{node}/undrain", (DashboardOperations ops, HttpContext http, string node, CancellationToken ct) =>
                Answer(ops.DrainMachineAsync(node, false, http.User.Actor(), ct)))
            .WithSummary("Undrain a machine: it takes workers again.");

        api.MapPost("/targets", (DashboardOperations ops, HttpContext http, TargetRequest body, CancellationToken ct) =>
                Answer(ops.ScaleAsync(body.Node, body.Type, body.Count, http.User.Actor(), ct)))
            .WithSummary("Set how many workers of a type a machine should run (node \"*\": the whole fleet, spread by the manager over the machines that are up).");
    }

    private static async Task<IResult> Answer(Task<OperationResult> operation) => Answer(await operation);

    /// <summary>
    /// One operation per chunk, each logged as if sent alone; refused whole, before any change, when the list is
    /// empty or longer than the cap, so one request cannot rewrite a whole job's chunks.
    /// </summary>
    private static async Task<IResult> Bulk(WebOptions options, BulkChunksRequest body, Func<long, CancellationToken, Task<OperationResult>> operation, CancellationToken ct)
    {
        var ids = body.Ids?.Distinct().ToList() ?? [];
        if (ids.Count == 0 || ids.Count > options.MaxBulkChunks)
        {
            return Answer(OperationResult.BadRequest(
                $"ids must name from 1 to {options.MaxBulkChunks} chunks (WebOptions.MaxBulkChunks); it named {ids.Count}"));
        }

        var results = new List<OperationResult>(ids.Count);
        foreach (var id in ids)
        {
            results.Add(await operation(id, ct));
        }

        var failed = results.Where(r => !r.Ok).ToList();
        var message = $"{results.Count - failed.Count} of {results.Count} done" + (failed.Count == 0 ? "" : "; " + string.Join("; ", failed.Select(f => f.Message)));
        return Answer(failed.Count == 0 ? OperationResult.Done(message) : new OperationResult(false, failed[0].Status, message));
    }

    private static IResult Answer(OperationResult result) =>
        TypedResults.Json(new OperationAnswer(result.Ok, result.Message), statusCode: result.Status);
}

public sealed record ResetRequest(string? To);

/// <param name="To">A kept checkpoint's number ("2", "#2"; "0" is the start) or its cursor.</param>
public sealed record RewindRequest(string? To);

public sealed record BulkChunksRequest(IReadOnlyList<long>? Ids, string? To);

public sealed record TargetRequest(string Node, string Type, int Count);

public sealed record OperationAnswer(bool Ok, string Message);
