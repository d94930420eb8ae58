using HeavyJobs.Web.Queries;
using HeavyJobs.Web.Rendering;

namespace HeavyJobs.Web.Pages;

public sealed class IndexModel(DashboardQueries queries) : LivePage
{
    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Show("/api/overview", await queries.OverviewAsync(cancellationToken));
}
