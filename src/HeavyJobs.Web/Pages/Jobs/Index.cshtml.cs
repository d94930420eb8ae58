using HeavyJobs.Core.Model;
using HeavyJobs.Web.Queries;
using HeavyJobs.Web.Rendering;
using Microsoft.AspNetCore.Mvc;

namespace HeavyJobs.Web.Pages.Jobs;

public sealed class JobsModel(DashboardQueries queries) : LivePage
{
    public static readonly IReadOnlyList<string> States = Enum.GetValues<JobState>().Select(s => s.ToDb()).ToList();

    public string? State { get; private set; }

    public long? Before { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? state, long? before, int? limit, CancellationToken cancellationToken)
    {
        JobState? filter = null;
        if (!string.IsNullOrEmpty(state))
        {
            if (!States.Contains(state))
            {
                return BadRequest($"unknown job state '{state}'");
            }

            filter = JobStates.Parse(state);
        }

        State = filter?.ToDb();
        Before = before;
        Show("/api/jobs" + Request.QueryString, await queries.JobsAsync(filter, before, limit, cancellationToken));
        return Page();
    }
}
