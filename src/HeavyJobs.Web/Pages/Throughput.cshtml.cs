using HeavyJobs.Web.Queries;
using HeavyJobs.Web.Rendering;

namespace HeavyJobs.Web.Pages;

public sealed class ThroughputModel(DashboardQueries queries) : LivePage
{
    public string Range { get; private set; } = "1h";

    public string? Type { get; private set; }

    public async Task OnGetAsync(string? range, string? type, CancellationToken cancellationToken)
    {
        Type = string.IsNullOrWhiteSpace(type) ? null : type;
        var data = await queries.ThroughputAsync(range, null, null, Type, cancellationToken);
        Range = data.Range;
        Show("/api/throughput" + Request.QueryString, data);
    }
}
