using System.CommandLine;
using System.Text.Json;
using HeavyJobs.Web;
using HeavyJobs.Web.Hosting;
using HeavyJobs.Web.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Cli.Commands;

internal static class WebCommand
{
    private static readonly JsonSerializerOptions UsersJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static Option<string> Urls() => new("--urls")
    {
        Description = "Where the dashboard listens. Off loopback it refuses to start without --users.",
        DefaultValueFactory = _ => "http://127.0.0.1:8080",
    };

    public static Option<string?> AllowedHosts() => new("--allowed-hosts")
    {
        Description = "Host names the dashboard answers to besides the loopback ones, separated by ',' (dashboard.example.com,*.ops.example.com; " +
            "'*' for any, with --users only). Needed off loopback; other names get 400, which stops DNS rebinding.",
    };

    public static Option<string?> Users() => new("--users")
    {
        Description = "A JSON file of users: [{\"name\":…,\"role\":\"viewer|operator\",\"passwordHash\":…,\"tokenHash\":…}] (make hashes with heavyjobs web hash).",
    };

    public static Command Create(CliApp app)
    {
        var urls = Urls();
        var users = Users();
        var allowedHosts = AllowedHosts();
        var command = new Command("web", "Run the dashboard, JSON API and /metrics (docs/dashboard.md).") { urls, users, allowedHosts };
        command.SetAction((parse, ct) => app.HostAsync(
            parse,
            roles => roles.AddDashboard(o => Map(o, parse.GetValue(urls)!, parse.GetValue(users), parse.GetValue(allowedHosts))),
            async (host, _, c) =>
            {
                Console.WriteLine($"dashboard: {string.Join(", ", host.Services.GetRequiredService<DashboardUrls>().Urls)}");
                await host.WaitForShutdownAsync(c);
                return 0;
            },
            LogLevel.Information,
            ct));
        var secret = new Argument<string>("secret") { Description = "A password to hash; or 'token' to make a new API token and its hash." };
        var hash = new Command("hash", "Hash a password (or make an API token) for the --users file.") { secret };
        hash.SetAction(parse =>
        {
            var value = parse.GetValue(secret)!;
            if (value == "token")
            {
                var token = WebSecrets.NewToken();
                Console.WriteLine($"token: {token}\ntokenHash: {WebSecrets.HashToken(token)}");
            }
            else
            {
                Console.WriteLine($"passwordHash: {WebSecrets.HashPassword(value)}");
            }

            return 0;
        });
        command.Subcommands.Add(hash);
        return command;
    }

    /// <summary>The flags every command that serves the dashboard shares: where it listens, who may sign in, and by which names.</summary>
    public static void Map(WebOptions options, string urls, string? usersFile, string? allowedHosts)
    {
        options.Urls = urls;
        options.AllowedHosts = (allowedHosts ?? "").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (usersFile is null)
        {
            return;
        }

        try
        {
            options.Users = JsonSerializer.Deserialize<List<WebUser>>(File.ReadAllText(usersFile), UsersJson) ?? [];
        }
        catch (JsonException ex)
        {
            throw new UserError($"{usersFile}: not a list of users: {ex.Message}");
        }
    }
}
