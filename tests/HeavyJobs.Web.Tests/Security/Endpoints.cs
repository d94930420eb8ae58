using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Routing;

namespace HeavyJobs.Web.Tests.Security;

/// <summary>One endpoint of the running app: its route, the methods it answers (null: any) and its metadata.</summary>
internal sealed record EndpointInfo(string Route, IReadOnlyList<string>? Methods, EndpointMetadataCollection Metadata)
{
    public bool IsPage => Metadata.Any(m => m is Microsoft.AspNetCore.Mvc.RazorPages.PageActionDescriptor);

    /// <summary>Answers only GET (and HEAD): a read.</summary>
    public bool IsGetOnly => Methods is { Count: > 0 } m && m.All(x => x is "GET" or "HEAD");

    /// <summary>The route with its parameters filled from the seeded store, so the request reaches the handler.</summary>
    public string Url(Seeded s) => Endpoints.Fill(Route, s);

    public override string ToString() => $"{(Methods is null ? "ANY" : string.Join(',', Methods))} {Route}";
}

/// <summary>Walks the app's own EndpointDataSource, so a newly mapped endpoint cannot escape the security tests.</summary>
internal static partial class Endpoints
{
    public static IReadOnlyList<EndpointInfo> Of(DashboardHost host) =>
        [.. host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => new EndpointInfo(
                "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'),
                e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } m ? [.. m] : null,
                e.Metadata))
            .OrderBy(e => e.Route, StringComparer.Ordinal)
            .ThenBy(e => e.ToString(), StringComparer.Ordinal)];

    public static string Fill(string route, Seeded s) => Parameter().Replace(route, m => m.Groups[1].Value switch
    {
        "id" when route.Contains("/chunks", StringComparison.Ordinal) && route.IndexOf("/chunks", StringComparison.Ordinal) < m.Index => Text(s.Busy1),
        "id" when route.StartsWith("/api/workers", StringComparison.Ordinal) => Text(s.Worker1),
        "id" => Text(s.JobId),
        "node" => "alpha",
        "name" => "app.js",
        "documentName" => "v1",
        var other => throw new InvalidOperationException($"the test does not know how to fill {{{other}}} in {route}: teach Endpoints.Fill"),
    });

    private static string Text(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\{\*{0,2}(\w+)(?::[^}]*)?\??\}")]
    private static partial Regex Parameter();
}
