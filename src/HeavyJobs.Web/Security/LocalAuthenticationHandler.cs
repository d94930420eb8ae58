using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace HeavyJobs.Web.Security;

/// <summary>
/// Authentication off (allowed on loopback only): whoever reaches the port is the one local operator.
/// Changes still need the antiforgery token, so another site open in the same browser cannot make them.
/// </summary>
internal sealed class LocalAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    WebOptions web)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(
            WebClaims.Principal(web.LocalUserName, WebRole.Operator, "local", Scheme.Name),
            Scheme.Name)));
}
