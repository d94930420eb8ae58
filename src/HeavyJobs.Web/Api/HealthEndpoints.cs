using HeavyJobs.Storage;

namespace HeavyJobs.Web.Api;

internal static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("ok\n"))
            .AllowAnonymous()
            .WithTags("health")
            .WithSummary("The process is up.");

        app.MapGet("/readyz", async (IDashboardStore store, CancellationToken ct) =>
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                try
                {
                    await store.NodeListAsync(timeout.Token);
                    return Results.Text("ready\n");
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    return Results.Text($"store unreachable: {e.GetType().Name}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
                }
            })
            .AllowAnonymous()
            .WithTags("health")
            .WithSummary("The store answers.");
    }
}
