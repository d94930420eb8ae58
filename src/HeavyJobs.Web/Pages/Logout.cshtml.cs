using HeavyJobs.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HeavyJobs.Web.Pages;

[AllowAnonymous]
public sealed class LogoutModel(WebOptions options) : PageModel
{
    /// <summary>Signing out changes state, so it is a POST (with the antiforgery token) like every other change.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        if (options.AuthenticationEnabled)
        {
            await HttpContext.SignOutAsync(WebClaims.CookieScheme);
        }

        return Redirect(options.AuthenticationEnabled ? "/login" : "/");
    }

    public IActionResult OnGet() => Redirect("/");
}
