using Microsoft.Playwright;

namespace HeavyJobs.Web.Tests;

/// <summary>One seeded dashboard and one headless Debian chromium for the browser tests.</summary>
public sealed class BrowserFixture : BrowserFixtureBase
{
    private protected override async Task<DashboardHost> StartHostAsync() => await DashboardHost.StartAsync();
}

/// <summary>
/// A dashboard and one headless Debian chromium. Without /usr/bin/chromium the tests fail: the dashboard's pages are
/// not tested without a real browser.
/// </summary>
public abstract class BrowserFixtureBase : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Browser test classes over seeded stores take turns: each has its own chromium, and two cores run them.</summary>
    public const string Serial = "browsers over seeded stores";

    private IPlaywright? _playwright;

    internal DashboardHost Host { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests.");
        }

        Host = await StartHostAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
    }

    /// <summary>A fresh browser context signed in through the login form; every confirm() is accepted.</summary>
    internal async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> SignInAsync(string user = Users.Operator, string password = Users.OperatorPassword)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add(m.Text);
            }
        };
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GotoAsync(Host.BaseUrl + "/login");
        await page.FillAsync("input[name=user]", user);
        await page.FillAsync("input[name=password]", password);
        await page.ClickAsync("form.login button[type=submit]");
        try
        {
            // A loaded CI machine has taken more than the default 30 s here once; what the page showed then
            // tells a slow machine from a refused sign-in. Sign-in leads to the overview, and its table of machines
            // on screen is the sign it is there. Waiting for a load state instead ("load", then "DOMContentLoaded")
            // twice timed out after 90 s with the overview drawn, its address the expected one.
            await Assertions.Expect(page).ToHaveURLAsync(Host.BaseUrl + "/", new() { Timeout = 90_000 });
            await Assertions.Expect(page.Locator("table[data-table=machines]")).ToBeVisibleAsync(new() { Timeout = 90_000 });
        }
        catch (TimeoutException e)
        {
            var body = await page.InnerTextAsync("body");
            throw new TimeoutException($"signing in as {user} did not reach the overview: at {page.Url}, the page says: {body[..Math.Min(body.Length, 500)]}", e);
        }

        return (context, page, errors);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await StopAsync();
        GC.SuppressFinalize(this);
    }

    private protected abstract Task<DashboardHost> StartHostAsync();

    /// <summary>Stops whatever the fixture started besides the dashboard and the browser.</summary>
    private protected virtual Task StopAsync() => Task.CompletedTask;

    /// <summary>Writes a full-page screenshot to docs/screenshots/NAME.png, shown in docs/dashboard.md.</summary>
    internal static async Task ShotAsync(IPage page, string name)
    {
        var dir = Repo.PathOf("docs", "screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }
}
