using System.CommandLine;
using System.Text.Json;
using HeavyJobs.Web;
using HeavyJobs.Web.Security;

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
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                using var stop = new StopSignal(ct);
                await using var web = Build(store, app, parse.GetValue(urls)!, parse.GetValue(users), parse.GetValue(allowedHosts));
                await web.StartAsync(stop.Token);
                Console.WriteLine($"dashboard: {string.Join(", ", web.Urls)}");
                await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                await web.StopAsync(CancellationToken.None);
                return 0;
            },
            CancellationToken.None));
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

    public static Microsoft.AspNetCore.Builder.WebApplication Build(Storage.IHeavyStore store, CliApp app, string urls, string? usersFile, string? allowedHosts = null)
    {
        IReadOnlyList<WebUser> users = [];
        if (usersFile is not null)
        {
            try
            {
                users = JsonSerializer.Deserialize<List<WebUser>>(File.ReadAllText(usersFile), UsersJson) ?? [];
            }
            catch (JsonException ex)
            {
                throw new UserError($"{usersFile}: not a list of users: {ex.Message}");
            }
        }

        try
        {
            var hosts = (allowedHosts ?? "").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return HeavyJobsWeb.Build(store, new WebOptions { Urls = urls, Users = users, AllowedHosts = hosts }, app.Time);
        }
        catch (InvalidOperationException ex)
        {
            throw new UserError(ex.Message);
        }
    }
}
