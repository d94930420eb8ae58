using System.Net;
using Microsoft.AspNetCore.HostFiltering;

namespace HeavyJobs.Web.Security;

/// <summary>
/// Against DNS rebinding: a page whose name an attacker points at 127.0.0.1 reaches the dashboard with that name in
/// its Host header, and would read the antiforgery token as its own. So only the names the dashboard is meant to be
/// reached by are answered. ASP.NET Core's host filtering refuses the rest (400, before any other middleware, on
/// every path); this decides its list.
/// </summary>
internal static class HostAllowList
{
    public const string Any = "*";

    /// <summary>A browser sends these only for a page loaded from this machine: no other site can take them over.</summary>
    public static IReadOnlyList<string> LoopbackNames { get; } = ["localhost", "127.0.0.1", "[::1]"];

    /// <exception cref="InvalidOperationException">A name is malformed, "*" comes without users, or the dashboard
    /// listens beyond loopback without a name to be reached by.</exception>
    public static IReadOnlyList<string> For(WebOptions options, IReadOnlyList<string> listenUrls)
    {
        var configured = options.AllowedHosts.Select(Normalize).ToList();
        if (configured.Contains(Any) && !options.AuthenticationEnabled)
        {
            throw new InvalidOperationException(
                "Refusing to answer any host name (AllowedHosts \"*\") without authentication: a web page a local user opens could " +
                "point its own name at this machine and steer every job and worker (DNS rebinding). List the names instead, or configure users.");
        }

        var open = ListenAddresses.NonLoopback(listenUrls);
        if (open.Count > 0 && configured.Count == 0)
        {
            throw new InvalidOperationException(
                $"The dashboard listens on {string.Join(", ", open)}: say which host names its users reach it by (AllowedHosts, " +
                "--allowed-hosts dashboard.example.com), or \"*\" for any; every other name is refused.");
        }

        // The dashboard may listen on another loopback address (127.0.0.2); a browser that reaches it sends that address.
        var boundLoopback = listenUrls.Where(ListenAddresses.IsLoopback).Select(ListenAddresses.HostOf).Select(Normalize);
        return LoopbackNames.Concat(boundLoopback).Concat(configured).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    public static void AddHeavyJobsHostFiltering(this IServiceCollection services, IReadOnlyList<string> allowed) =>
        services.Configure<HostFilteringOptions>(o =>
        {
            o.AllowedHosts = allowed.ToList();
            // Every browser and HTTP/1.1 client sends a Host; a request without one is not from a user.
            o.AllowEmptyHosts = false;
        });

    private static string Normalize(string entry)
    {
        var name = entry.Trim();
        if (IPAddress.TryParse(name, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return "[" + ip + "]";
        }

        var bracketed = name.StartsWith('[') && name.EndsWith(']');
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || (!bracketed && name.Contains(':', StringComparison.Ordinal)))
        {
            throw new InvalidOperationException(
                $"'{entry}' is not a host name: give names as they appear in the address bar, without scheme or port " +
                "(dashboard.example.com, *.example.com, 10.0.0.5, [fd00::5]).");
        }

        return name;
    }
}
