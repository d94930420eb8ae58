using System.Net;
using System.Net.Sockets;
using HeavyJobs.TestSupport;
using Npgsql;

namespace HeavyJobs.Web.Tests.Security;

/// <summary>
/// The real `heavyjobs web` process on PostgreSQL, signed in with a connection string whose password is known only
/// to this test: the password appears in no page, no API answer, no error answer, not in /metrics, the OpenAPI
/// document or the process's log; nor does a wrong password when the store refuses it.
/// </summary>
public sealed class RedactionTests : IAsyncLifetime
{
    private readonly string _role = $"hj_redact_{Guid.NewGuid():N}"[..24];
    private readonly string _password = $"Pw{Guid.NewGuid():N}Secret";
    private NpgsqlDataSource _admin = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Generous timeouts: the test box is shared and often loaded.
    private static string BaseString => new NpgsqlConnectionStringBuilder(
        Environment.GetEnvironmentVariable("HEAVYJOBS_TEST_POSTGRES") is { Length: > 0 } s ? s : MonitorRun.DefaultPostgres) { Timeout = 60, CommandTimeout = 120 }.ToString();

    public async ValueTask InitializeAsync()
    {
        _admin = NpgsqlDataSource.Create(BaseString);
        var database = new NpgsqlConnectionStringBuilder(BaseString).Database;
        await using var create = _admin.CreateCommand(
            $"CREATE ROLE {_role} LOGIN PASSWORD '{_password}'; GRANT CREATE ON DATABASE \"{database}\" TO {_role}");
        await create.ExecuteNonQueryAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(BaseString).Database;
        await using (var drop = _admin.CreateCommand($"DROP OWNED BY {_role} CASCADE; REVOKE ALL ON DATABASE \"{database}\" FROM {_role}; DROP ROLE {_role}"))
        {
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }

        await _admin.DisposeAsync();
    }

    [Fact]
    public async Task TheStorePassword_AppearsInNoPageAnswerErrorMetricOrLogLine()
    {
        var connection = new NpgsqlConnectionStringBuilder(BaseString) { Username = _role, Password = _password }.ToString();
        await using var run = await MonitorRun.CreateAsync("postgres", Ct, connection);
        Assert.Contains(_password, run.Db, StringComparison.Ordinal);
        var seeded = await Seed.RunAsync(run.Store, TimeProvider.System, Ct);

        var port = FreePort();
        var env = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Debug" };
        using var web = run.StartProcess(env, "web", "--urls", $"http://127.0.0.1:{port}");
        // A wrong password, for the store to refuse: its error must not carry the password either.
        var wrongPassword = _password + "Wrong";
        var wrong = new NpgsqlConnectionStringBuilder(run.Db) { Password = wrongPassword }.ToString();
        using var refused = run.StartProcess(new Dictionary<string, string> { ["HEAVYJOBS_DB"] = wrong }, "web", "--urls", $"http://127.0.0.1:{FreePort()}");
        try
        {
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            Assert.True(await MonitorRun.UntilAsync(async () => await UpAsync(client), TimeSpan.FromSeconds(180), Ct), "the dashboard did not start:\n" + run.Log);

            var answers = new List<string>();
            foreach (var path in Paths(seeded))
            {
                using var response = await client.GetAsync(path, Ct);
                Assert.True((int)response.StatusCode < 500, $"{path}: {(int)response.StatusCode}");
                answers.Add($"{path} {(int)response.StatusCode} {response.Headers} {await response.Content.ReadAsStringAsync(Ct)}");
            }

            // Errors: a failed change, a bad body, a missing thing.
            using var badBody = await client.PostAsync("/api/targets", new StringContent("{", System.Text.Encoding.UTF8, "application/json"), Ct);
            answers.Add(await badBody.Content.ReadAsStringAsync(Ct));
            Assert.True(answers.Sum(a => a.Length) > 10_000, "the pages said almost nothing");

            Assert.True(await MonitorRun.UntilAsync(() => Task.FromResult(refused.HasExited), TimeSpan.FromSeconds(90), Ct), "the process with a wrong password kept running");
            Assert.Contains("28P01", run.Log, StringComparison.Ordinal);
            foreach (var answer in answers)
            {
                Assert.DoesNotContain(_password, answer, StringComparison.Ordinal);
            }

            Assert.DoesNotContain(_password, run.Log, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var process in new[] { web, refused })
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
    }

    private static IEnumerable<string> Paths(Seeded s) =>
    [
        "/", "/jobs", $"/jobs/{s.JobId}", $"/jobs/{s.JobId}/aggregates", "/workers", "/throughput", "/actions",
        "/api/overview", "/api/jobs", $"/api/jobs/{s.JobId}", $"/api/jobs/{s.JobId}/chunks", $"/api/chunks/{s.Busy1}", "/api/workers",
        "/api/throughput", "/api/actions", "/api/session", "/metrics", "/openapi/v1.json", "/healthz", "/readyz",
        "/api/jobs/999999", "/api/jobs?state=bogus", "/no-such-page", "/assets/none.js",
    ];

    private static async Task<bool> UpAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/readyz", Ct);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
