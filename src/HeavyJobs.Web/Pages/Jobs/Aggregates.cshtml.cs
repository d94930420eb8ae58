using HeavyJobs.Web.Queries;
using HeavyJobs.Web.Rendering;
using Microsoft.AspNetCore.Mvc;

namespace HeavyJobs.Web.Pages.Jobs;

public sealed class JobAggregatesModel(DashboardQueries queries) : LivePage
{
    public long Id { get; private set; }

    public AggregatesDto Aggregates { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id, int? stage, int? top, CancellationToken cancellationToken)
    {
        if (await queries.AggregatesAsync(id, stage, top, cancellationToken) is not { } aggregates)
        {
            return NotFound();
        }

        Id = id;
        Aggregates = aggregates;
        Show($"/api/jobs/{id}/aggregates{Request.QueryString}", aggregates);
        return Page();
    }
}
