using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Web.Tests.Api;

/// <summary>
/// The API's doors, each with the bad input it may get and what it must answer: a 4xx whose body names what is
/// wrong (the field, the limit), never a 5xx, and nothing changed. Calls go with the operator's bearer token, so
/// nothing but the input itself is refused. The other doors are tested where they live: job files in
/// HeavyJobs.Core.Tests (definitions), the worker pipe in HeavyJobs.Runtime.Tests/Protocol, cron expressions in
/// HeavyJobs.Runtime.Tests/Manager/ScheduleCronInputTests.
/// </summary>
/// <remarks>
/// One seeded dashboard serves the class (a class's tests run one after another): each bad request must change
/// nothing, and each checks that against a snapshot taken just before it. The bulk action that does change the
/// store has a dashboard of its own (<see cref="ApiBulkActionTests"/>).
/// </remarks>
public sealed class ApiBadInputTests(SeededDashboard dashboard) : IClassFixture<SeededDashboard>
{
    private const string Big = "{BIG}";
    private const string Busy = "{BUSY}";
    private const string Job = "{JOB}";
    private readonly DashboardHost _host = dashboard.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>method, path, body (null: none), the status it must get, a text its answer must contain.</summary>
    public static TheoryData<string, string, string?, int, string> Doors => new()
    {
        // Request size: the API takes a few small fields.
        { "POST", "/api/targets", "{\"node\":\"alpha\",\"type\":\"" + new string('x', 70_000) + "\",\"count\":1}", 413, "the limit is 65,536 bytes (WebOptions.MaxRequestBodyBytes)" },
        { "POST", $"/api/chunks/{Busy}/reset", new string(' ', 1 << 20), 413, "1,048,576 bytes" },
        // Bodies that are not what the endpoint reads.
        { "POST", "/api/targets", "not json", 400, "TargetRequest" },
        { "POST", "/api/targets", "{\"node\":\"alpha\",\"type\":\"demo.fetch\",\"count\":\"many\"}", 400, "TargetRequest" },
        { "POST", "/api/targets", "{\"node\":\"alpha\",\"type\":\"demo.fetch\",\"count\":99999999999}", 400, "TargetRequest" },
        { "POST", "/api/targets", "{}", 400, "name the machine and the type" },
        { "POST", "/api/targets", "{\"node\":\"alpha\",\"type\":\"demo.fetch\",\"count\":-1}", 400, "the count must be from 0 to" },
        { "POST", "/api/targets", "{\"node\":\"alpha\",\"type\":\"demo.fetch\",\"count\":100000}", 400, "the count must be from 0 to" },
        { "POST", "/api/targets", null, 400, "body" },
        { "POST", "/api/targets", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 400, "TargetRequest" },
        { "POST", $"/api/chunks/{Busy}/reset", "{\"to\":\"sideways\"}", 400, "to must be zero or checkpoint" },
        { "POST", $"/api/chunks/{Busy}/release", null, 409, "not quarantined" },
        { "POST", "/api/chunks/999999999/reset", null, 404, "no chunk 999999999" },
        { "POST", "/api/jobs/999999999/cancel", null, 404, "no job 999999999" },
        { "POST", "/api/workers/999999999/terminate", null, 404, "999999999" },
        { "POST", "/api/nodes/no-such-machine/drain", null, 400, "unknown machine 'no-such-machine'" },
        // Bulk actions: at most WebOptions.MaxBulkChunks at once, and at least one.
        { "POST", "/api/chunks/reset", "{\"ids\":[" + string.Join(',', Enumerable.Range(1, 101)) + "]}", 400, "from 1 to 100 chunks (WebOptions.MaxBulkChunks); it named 101" },
        { "POST", "/api/chunks/release", "{\"ids\":[]}", 400, "from 1 to 100 chunks" },
        { "POST", "/api/chunks/reset", "{\"ids\":[\"a\"]}", 400, "BulkChunksRequest" },
        { "POST", "/api/chunks/reset", $"{{\"ids\":[{Busy}],\"to\":\"nowhere\"}}", 400, "to must be zero or checkpoint" },
        // Query strings.
        { "GET", "/api/jobs?state=exploded", null, 400, "exploded" },
        { "GET", $"/api/jobs/{Job}/chunks?state=exploded", null, 400, "exploded" },
        { "GET", $"/api/jobs/{Job}/chunks?limit=lots", null, 400, "limit" },
        { "GET", "/api/jobs?before=yesterday", null, 400, "before" },
        { "GET", "/api/throughput?from=never", null, 400, "from" },
        { "GET", "/api/actions?worker=-x", null, 400, "worker" },
        { "GET", "/api/jobs/999999999", null, 404, "" },
        { "GET", "/api/chunks/999999999999999999999", null, 404, "" },
    };

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task BadInput_Gets4xxNamingTheProblem_AndChangesNothing(string method, string path, string? body, int status, string names)
    {
        using var client = Bearer();
        var before = await SecurityTests.SnapshotAsync(_host.Store);
        using var request = new HttpRequestMessage(new HttpMethod(method), Fill(path));
        if (body is not null)
        {
            request.Content = new StringContent(Fill(body), Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == status, $"{method} {path[..Math.Min(60, path.Length)]}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
        Assert.Contains(names, text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await SecurityTests.SnapshotAsync(_host.Store));
    }

    [Fact]
    public async Task ABodyWithoutALength_IsCutOffAtTheSameLimit()
    {
        using var client = Bearer();
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"to\":\"" + new string('z', 200_000) + "\"}")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/chunks/{_host.Seeded.Busy1}/reset") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Request body too large", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("100000", 500)]
    [InlineData("501", 500)]
    [InlineData("0", 1)]
    [InlineData("-7", 1)]
    public async Task PageSizes_AreClampedToWhatTheDashboardAllows(string limit, int rows)
    {
        using var client = Bearer();
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/jobs/{_host.Seeded.BigJobId}/chunks?limit={limit}", Ct);
        Assert.Equal(rows, page.GetProperty("chunks").GetArrayLength());
        var actions = await client.GetFromJsonAsync<JsonElement>($"/api/actions?limit={limit}", Ct);
        Assert.True(actions.GetProperty("actions").GetArrayLength() <= rows);
    }

    private HttpClient Bearer() => SeededDashboard.Bearer(_host);

    private string Fill(string text) => text
        .Replace(Busy, _host.Seeded.Busy1.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace(Job, _host.Seeded.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace(Big, _host.Seeded.BigJobId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}

/// <summary>A dashboard over a freshly seeded store, shared by the tests of one class.</summary>
public sealed class SeededDashboard : IAsyncLifetime
{
    internal DashboardHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Host = await DashboardHost.StartAsync();

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    /// <summary>A client of <paramref name="host"/> with the operator's bearer token.</summary>
    internal static HttpClient Bearer(DashboardHost host)
    {
        var client = host.Client();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Users.OperatorToken);
        return client;
    }
}

/// <summary>A bulk action at its cap, on a dashboard of its own: it changes what the bad-input tests check is unchanged.</summary>
public sealed class ApiBulkActionTests : IAsyncLifetime
{
    private DashboardHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await DashboardHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ABulkResetAtTheCap_ResetsEachChunk_AndLogsEachAsIfSentAlone()
    {
        using var client = Bearer();
        var s = _host.Seeded;
        var ids = (await _host.Store.ChunkListAsync(new Storage.Chunks.ChunkListParams(s.BigJobId, Limit: 98), Ct)).Select(c => c.Id).Append(s.Busy1).Append(s.Busy2).ToList();
        Assert.Equal(100, ids.Count);
        using var response = await client.PostAsJsonAsync("/api/chunks/reset", new { ids, to = "zero" }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("100 of 100 done", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Null((await _host.Store.ChunkGetAsync(s.Busy1, Ct))!.LeaseOwner);
        var logged = await _host.Store.ActionListAsync(new ActionListParams(200, Kind: "reset"), Ct);
        Assert.Equal(100, logged.Count);
        Assert.All(logged, a => Assert.Equal("web:otto", a.Actor));
    }

    private HttpClient Bearer() => SeededDashboard.Bearer(_host);
}
