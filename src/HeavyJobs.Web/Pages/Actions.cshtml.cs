using HeavyJobs.Web.Queries;
using HeavyJobs.Web.Rendering;

namespace HeavyJobs.Web.Pages;

public sealed class ActionsModel(DashboardQueries queries) : LivePage
{
    public ActionFilter Filter { get; private set; } = new();

    public async Task OnGetAsync(string? kind, string? node, long? worker, long? chunk, long? job, long? before, int? limit, CancellationToken cancellationToken)
    {
        Filter = new ActionFilter(kind, node, worker, chunk, job, before, limit);
        Show("/api/actions" + Request.QueryString, await queries.ActionsAsync(Filter, cancellationToken));
    }
}
