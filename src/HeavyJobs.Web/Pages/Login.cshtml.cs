using HeavyJobs.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HeavyJobs.Web.Pages;

[AllowAnonymous]
public sealed class LoginModel(WebOptions options, LoginThrottle throttle) : PageModel
{
    public string? ReturnUrl { get; private set; }

    public string? UserName { get; private set; }

    public string? Error { get; private set; }

    public IActionResult OnGet(string? returnUrl)
    {
        if (!options.AuthenticationEnabled)
        {
            return Redirect("/");
        }

        ReturnUrl = returnUrl;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? user, string? password, string? returnUrl)
    {
        if (!options.AuthenticationEnabled)
        {
            return Redirect("/");
        }

        if (throttle.TryAttempt(HttpContext.Connection.RemoteIpAddress, user) is { } wait)
        {
            ReturnUrl = returnUrl;
            UserName = user;
            Error = $"Too many sign-in attempts: try again in {Math.Ceiling(wait.TotalSeconds):0} seconds.";
            SecurityServices.TooManyAttempts(Response, wait);
            return Page();
        }

        var match = options.Users.FirstOrDefault(u => u.Name == user);
        if (match is null || password is null || !WebSecrets.VerifyPassword(password, match.PasswordHash))
        {
            throttle.Failed(HttpContext.Connection.RemoteIpAddress, user);
            ReturnUrl = returnUrl;
            UserName = user;
            Error = "Wrong user name or password.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(
            WebClaims.CookieScheme,
            WebClaims.Principal(match.Name, match.Role, "cookie", WebClaims.CookieScheme));
        // Only a path on this site: a crafted link must not send a fresh login elsewhere.
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl! : "/");
    }
}
