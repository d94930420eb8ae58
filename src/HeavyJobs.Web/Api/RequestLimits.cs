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
            await Problem(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"the body has {context.Request.ContentLength:N0} bytes; the limit is {limit:N0} bytes (WebOptions.MaxRequestBodyBytes)");
            return;
        }

        // A body sent without a length (chunked) is read here, up to the limit and one byte more: bodies are small,
        // and a body past the limit is answered with the same message as one that said its length.
        var method = context.Request.Method;
        if (context.Request.ContentLength is null && (HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method)))
        {
            var buffered = new MemoryStream();
            var read = await CopyAtMostAsync(context.Request.Body, buffered, limit + 1, context.RequestAborted);
            if (read > limit)
            {
                await Problem(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                    $"the body has more than {limit:N0} bytes; the limit is {limit:N0} bytes (WebOptions.MaxRequestBodyBytes)");
                return;
            }

            buffered.Position = 0;
            context.Request.Body = buffered;
            context.Request.ContentLength = read;
        }

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

    private static async Task<long> CopyAtMostAsync(Stream from, Stream to, long most, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        long total = 0;
        int n;
        while (total < most && (n = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, most - total)), cancellationToken)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            total += n;
        }

        return total;
    }

    private static Task Problem(HttpContext context, int status, string title, string detail)
    {
        context.Response.Clear();
        context.Response.StatusCode = status;
        return Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
    }
}
