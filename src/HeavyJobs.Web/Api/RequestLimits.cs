using Microsoft.AspNetCore.Http.Features;

namespace HeavyJobs.Web.Api;

/// <summary>
/// Caps every request body (the API only ever takes a few small fields, so a large body is an attack or a bug) and
/// turns a request the framework cannot bind into a 4xx that names what was wrong, instead of an empty 400.
/// </summary>
internal sealed class RequestLimits(WebOptions options)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var limit = options.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await Problem(context, StatusCodes.Status413PayloadTooLarge, "request body too large",
                $"the body has {context.Request.ContentLength:N0} bytes; the limit is {limit:N0} bytes (WebOptions.MaxRequestBodyBytes)");
            return;
        }

        // A body sent without a length (chunked) is cut off by the server at the same limit.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // The framework's own message names the parameter or the limit ("Failed to bind parameter \"int? limit\" from \"abc\".").
            await Problem(context, e.StatusCode, "bad request", e.Message);
        }
    }

    private static Task Problem(HttpContext context, int status, string title, string detail)
    {
        context.Response.Clear();
        context.Response.StatusCode = status;
        return Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
    }
}
