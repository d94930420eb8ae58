using HeavyJobs.Web.Queries;
using HeavyJobs.Web.Rendering;

namespace HeavyJobs.Web.Pages;

public sealed class WorkersModel(DashboardQueries queries) : LivePage
{
    public string? Node { get; private set; }

    public bool All { get; private set; }

    /// <summary>Suggestions for the scale form.</summary>
    public IReadOnlyList<string> MachineNames { get; private set; } = [];

    public IReadOnlyList<string> TypeNames { get; private set; } = [];

    public async Task OnGetAsync(string? node, bool? all, CancellationToken cancellationToken)
    {
        Node = string.IsNullOrWhiteSpace(node) ? null : node;
        All = all ?? false;
        var data = await queries.WorkersAsync(Node, All, cancellationToken);
        MachineNames = data.Machines.Select(m => m.Name).ToList();
        TypeNames = data.Targets.Select(t => t.Type).Concat(data.Workers.SelectMany(w => w.Types.Split(','))).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Show("/api/workers" + Request.QueryString, data);
    }
}
