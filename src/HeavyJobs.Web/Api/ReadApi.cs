using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Web.Queries;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeavyJobs.Web.Api;

/// <summary>The JSON API's reads: everything the pages show. None of them changes anything.</summary>
internal static class ReadApi
{
    public static void MapReadApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("read");

        api.MapGet("/overview", (DashboardQueries q, CancellationToken ct) => q.OverviewAsync(ct))
            .WithSummary("Machines, worker counts, throughput, backlog with ETA, recent automatic actions and what needs attention.");

        api.MapGet("/jobs", async Task<Results<Ok<JobPageDto>, ProblemHttpResult>> (DashboardQueries q, string? state, long? before, int? limit, CancellationToken ct) =>
                TryState(state, JobStates.Parse, out var s, out var problem) ? TypedResults.Ok(await q.JobsAsync(s, before, limit, ct)) : problem!)
            .WithSummary("Jobs, newest first, paged by id (before=), filterable by state.");

        api.MapGet("/jobs/{id:long}", async Task<Results<Ok<JobDetailDto>, NotFound>> (DashboardQueries q, long id, CancellationToken ct) =>
                await q.JobAsync(id, ct) is { } job ? TypedResults.Ok(job) : TypedResults.NotFound())
            .WithSummary("One job with its stages and chunk counts.");

        api.MapGet("/jobs/{id:long}/chunks", async Task<Results<Ok<ChunkPageDto>, ProblemHttpResult>> (DashboardQueries q, long id, string? state, long? after, int? limit, CancellationToken ct) =>
                TryState(state, ChunkStates.Parse, out var s, out var problem) ? TypedResults.Ok(await q.ChunksAsync(id, s, after, limit, ct)) : problem!)
            .WithSummary("A job's chunks by id, paged (after=), filterable by state; limit is capped.");

        api.MapGet("/jobs/{id:long}/aggregates", async Task<Results<Ok<AggregatesDto>, NotFound>> (DashboardQueries q, long id, int? stage, int? top, CancellationToken ct) =>
                await q.AggregatesAsync(id, stage, top, ct) is { } a ? TypedResults.Ok(a) : TypedResults.NotFound())
            .WithSummary("The counts a job's aggregating stage wrote (outputs keyed dimension|value): the given stage, else its last barrier stage; top= values per dimension, capped.");

        api.MapGet("/chunks/{id:long}", async Task<Results<Ok<ChunkDto>, NotFound>> (DashboardQueries q, long id, CancellationToken ct) =>
                await q.ChunkAsync(id, ct) is { } chunk ? TypedResults.Ok(chunk) : TypedResults.NotFound())
            .WithSummary("One chunk.");

        api.MapGet("/chunks/{id:long}/history", async Task<Results<Ok<ChunkHistory>, NotFound>> (IDashboardStore store, long id, CancellationToken ct) =>
                await store.ChunkHistoryAsync(id, ct) is { } history ? TypedResults.Ok(history) : TypedResults.NotFound())
            .WithSummary("A chunk's holders (worker, machine, cursor range, start, end, how it ended) and its kept checkpoints, newest first.");

        api.MapGet("/workers", (DashboardQueries q, string? node, bool? all, CancellationToken ct) => q.WorkersAsync(node, all ?? false, ct))
            .WithSummary("Machines, the ps of every worker, and the target count of each type on each machine.");

        api.MapGet("/throughput", (DashboardQueries q, string? range, DateTimeOffset? from, DateTimeOffset? to, string? type, string? by, CancellationToken ct) =>
                q.ThroughputAsync(range, from, to, type, ct, by))
            .WithSummary("Items, good and bad records per worker, per type and per stage: range=1h|6h|24h|7d|30d, or from= and to= (at most 31 days); by=worker|type|stage fills only that grouping.");

        api.MapGet("/actions", (DashboardQueries q, [AsParameters] ActionQuery filter, CancellationToken ct) =>
                q.ActionsAsync(new ActionFilter(filter.Kind, filter.Node, filter.Worker, filter.Chunk, filter.Job, filter.Before, filter.Limit), ct))
            .WithSummary("The action log, newest first, paged (before=), filterable by kind, machine, worker, chunk and job.");

        api.MapGet("/session", (HttpContext http, IAntiforgery antiforgery) =>
            {
                var tokens = antiforgery.GetAndStoreTokens(http);
                return new SessionDto(http.User.Identity?.Name ?? "", http.User.IsInRole(Security.WebClaims.OperatorRole) ? "operator" : "viewer", tokens.HeaderName ?? "", tokens.RequestToken ?? "");
            })
            .WithSummary("Who you are, and the antiforgery token to send with changes (with the cookie this sets).");
    }

    private static bool TryState<T>(string? text, Func<string, T> parse, out T? state, out ProblemHttpResult? problem)
        where T : struct
    {
        state = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        try
        {
            state = parse(text.Trim());
            return true;
        }
        catch (FormatException e)
        {
            problem = TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
            return false;
        }
    }
}

internal sealed record ActionQuery(string? Kind, string? Node, long? Worker, long? Chunk, long? Job, long? Before, int? Limit);

public sealed record SessionDto(string Name, string Role, string AntiforgeryHeader, string AntiforgeryToken);
