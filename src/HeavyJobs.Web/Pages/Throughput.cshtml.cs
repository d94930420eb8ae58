using HeavyJobs.Web.Queries;
using HeavyJobs.Web.Rendering;

namespace HeavyJobs.Web.Pages;

public sealed class ThroughputModel(DashboardQueries queries) : LivePage
{
    public string Range { get; private set; } = "1h";

    public string? Type { get; private set; }

    /// <summary>How the chart splits its lines: worker (the default), type or stage.</summary>
    public string By { get; private set; } = ThroughputGrouping.Worker;

    /// <summary>The answer's list of series for <see cref="By"/>.</summary>
    public string Series => By switch { ThroughputGrouping.Type => "types", ThroughputGrouping.Stage => "stages", _ => "workers" };

    public async Task OnGetAsync(string? range, string? type, string? by, CancellationToken cancellationToken)
    {
        Type = string.IsNullOrWhiteSpace(type) ? null : type;
        By = ThroughputGrouping.Parse(by) ?? ThroughputGrouping.Worker;
        var data = await queries.ThroughputAsync(range, null, null, Type, cancellationToken, By);
        Range = data.Range;
        var query = Request.Query.ContainsKey("by") ? Request.QueryString : Request.QueryString.Add("by", By);
        Show("/api/throughput" + query, data);
    }
}
