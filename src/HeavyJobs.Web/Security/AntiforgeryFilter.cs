using Microsoft.AspNetCore.Antiforgery;

namespace HeavyJobs.Web.Security;

/// <summary>
/// Every change through the API must carry the antiforgery token (the header the pages send), unless the caller
/// proved itself with a bearer token, which no browser sends on its own.
/// </summary>
internal sealed class AntiforgeryFilter(IAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.User.NeedsAntiforgery())
        {
            try
            {
                await antiforgery.ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException)
            {
                return Results.Problem(
                    statusCode: StatusCodes.Status400BadRequest,
                    title: "missing or invalid antiforgery token",
                    detail: $"send the token from the page's meta tag heavyjobs-csrf in the {SecurityServices.AntiforgeryHeader} header");
            }
        }

        return await next(context);
    }
}
