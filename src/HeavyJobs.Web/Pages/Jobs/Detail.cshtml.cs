using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Web.Queries;
using HeavyJobs.Web.Rendering;
using Microsoft.AspNetCore.Mvc;

namespace HeavyJobs.Web.Pages.Jobs;

public sealed class JobDetailModel(DashboardQueries queries, IDashboardStore store) : LivePage
{
    public static readonly IReadOnlyList<string> ChunkStateNames = Enum.GetValues<ChunkState>().Select(s => s.ToDb()).ToList();

    public long Id { get; private set; }

    public string? State { get; private set; }

    public long? After { get; private set; }

    /// <summary>The history of the chunk the page was asked to show (?chunk=ID), if it is one of this job's.</summary>
    public ChunkHistory? History { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, string? state, long? after, int? limit, long? chunk, CancellationToken cancellationToken)
    {
        ChunkState? filter = null;
        if (!string.IsNullOrEmpty(state))
        {
            if (!ChunkStateNames.Contains(state))
            {
                return BadRequest($"unknown chunk state '{state}'");
            }

            filter = ChunkStates.Parse(state);
        }

        var detail = await queries.JobAsync(id, cancellationToken);
        if (detail is null)
        {
            return NotFound();
        }

        Id = id;
        State = filter?.ToDb();
        After = after;
        var chunks = await queries.ChunksAsync(id, filter, after, limit, cancellationToken);
        if (chunk is { } chunkId)
        {
            History = await store.ChunkHistoryAsync(chunkId, cancellationToken) is { } history && history.JobId == id ? history : null;
        }

        Show(("detail", $"/api/jobs/{id}", detail), ("page", $"/api/jobs/{id}/chunks{Request.QueryString}", chunks));
        return Page();
    }
}
