using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HeavyJobs.Whois.Client;
using HeavyJobs.Whois.Parsing;

namespace HeavyJobs.Cli.Tests;

/// <summary><c>heavyjobs whois parse|match-rate</c> and <c>heavyjobs whois-server</c>, run as a user would.</summary>
public sealed partial class WhoisCommandTests
{
    private const string WhoisClient = "/usr/bin/whois";
    private const string CorpusVariable = "HEAVYJOBS_WHOIS_CORPUS";

    private static readonly string[] _recordKeys =
    [
        "file", "status", "domain", "registrar", "created", "updated", "expires", "nameServers", "statuses",
        "registrantOrganization", "registrantCountry", "error",
    ];

    private static readonly string[] _scoredFields = ["domain", "nameServers", "created", "updated", "expires", "registrar", "notFound"];

    private static readonly TimeSpan _deadline = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_TheDemoTwice_SecondRefreshFetchesOnlyNewDomains_AndItsAggregatesStillCoverEveryDomain()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var (exit, output, err) = await HeavyjobsProcess.RunAsync(db, Ct, "run", "--domains", "120", "--workers", "2", "--urls", "http://127.0.0.1:0");
        Assert.True(exit == 0, output + err);
        Assert.Contains("Loaded 120 domains", output, StringComparison.Ordinal);

        // The list grows by 30: only those are fetched; the other 120 are fresh (well within the hour).
        (exit, output, err) = await HeavyjobsProcess.RunAsync(db, Ct, "run", "--domains", "150", "--workers", "2", "--urls", "http://127.0.0.1:0");
        Assert.True(exit == 0, output + err);
        Assert.Contains("Loaded 30 domains", output, StringComparison.Ordinal);
        var (_, status, _) = await HeavyjobsProcess.RunAsync(db, Ct, "status", "--json");
        using var doc = JsonDocument.Parse(status);
        var second = doc.RootElement.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("name").GetString() == "whois refresh: 150 domains");
        var fetched = doc.RootElement.GetProperty("chunks").EnumerateArray()
            .Where(c => c.GetProperty("jobId").GetInt64() == second.GetProperty("id").GetInt64() && c.GetProperty("stage").GetInt32() == 0)
            .Sum(c => c.GetProperty("done").GetInt64());
        Assert.Equal(30, fetched);

        var csv = Path.Combine(Path.GetDirectoryName(db)!, "aggregates");
        (exit, output, err) = await HeavyjobsProcess.RunAsync(db, Ct, "whois", "aggregates", "--job", second.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), "--csv", csv);
        Assert.True(exit == 0, output + err);
        var summary = File.ReadAllLines(Path.Combine(csv, "summary.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0].Trim('"'), f => long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(150, summary["domains"]);
        Assert.Equal(120, summary["carried-over"]);
        Assert.Equal(150, File.ReadAllLines(Path.Combine(csv, "tld.csv")).Skip(1).Sum(l => long.Parse(l.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Parse_TwoCorpusAnswers_PrintsOneRecordEachWithExactlyTheDocumentedKeys()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var corpus = FindCorpus();
        var com = Path.Combine(corpus, "registered", "com_google.com");
        var de = Path.Combine(corpus, "registered", "de_google.de");

        var (exit, output, err) = await HeavyjobsProcess.RunAsync(db, Ct, "whois", "parse", com, de);

        Assert.True(exit == 0, output + err);
        using var doc = JsonDocument.Parse(output);
        var records = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(_recordKeys, r.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(com, records[0].GetProperty("file").GetString());
        Assert.Equal(de, records[1].GetProperty("file").GetString());
        Assert.All(records, r => Assert.Equal("registered", r.GetProperty("status").GetString()));
        Assert.All(records, r => Assert.Equal(JsonValueKind.Null, r.GetProperty("error").ValueKind));
        Assert.Equal("google.com", records[0].GetProperty("domain").GetString());
        Assert.Equal("google.de", records[1].GetProperty("domain").GetString());
        Assert.All(records, r => Assert.Contains("ns1.google.com", r.GetProperty("nameServers").EnumerateArray().Select(s => s.GetString())));

        // A command that needs no database must not create one.
        Assert.False(File.Exists(db), "whois parse created a database");
    }

    [Fact]
    public async Task Parse_MissingFile_IsABadRecordBesideTheGoodOnes_NotACrash()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var good = Path.Combine(FindCorpus(), "registered", "com_google.com");
        var missing = Path.Combine(Path.GetDirectoryName(db)!, "no-such-answer.txt");

        var (exit, output, err) = await HeavyjobsProcess.RunAsync(db, Ct, "whois", "parse", good, missing);

        Assert.True(exit == 1 && output.TrimStart().StartsWith('['), $"exit {exit}: {output}{err}");
        using var doc = JsonDocument.Parse(output);
        var records = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal("registered", records[0].GetProperty("status").GetString());
        var bad = records[1];
        Assert.Equal(_recordKeys, bad.EnumerateObject().Select(p => p.Name));
        Assert.Equal(missing, bad.GetProperty("file").GetString());
        Assert.Equal("bad", bad.GetProperty("status").GetString());
        Assert.StartsWith("cannot read: ", bad.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains(missing, bad.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(bad.GetProperty("nameServers").EnumerateArray());
        Assert.DoesNotContain("Exception", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MatchRate_Json_EveryFieldIsMatchedOnAtLeast95PercentOfTheCorpus()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var corpus = FindCorpus();

        var (exit, output, err) = await HeavyjobsProcess.RunAsync(db, Ct, "whois", "match-rate", "--corpus", corpus, "--json");

        Assert.True(exit == 0, output + err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(corpus, root.GetProperty("corpus").GetString());
        Assert.True(root.GetProperty("registeredFiles").GetInt32() > 0, output);
        Assert.True(root.GetProperty("notFoundFiles").GetInt32() > 0, output);
        Assert.False(root.TryGetProperty("mismatches", out var listed) && listed.ValueKind != JsonValueKind.Null, "mismatches listed without --mismatches");
        var fields = root.GetProperty("fields");
        Assert.Equal(_scoredFields, fields.EnumerateObject().Select(p => p.Name));
        foreach (var field in fields.EnumerateObject())
        {
            var checkedCount = field.Value.GetProperty("checked").GetInt32();
            var matched = field.Value.GetProperty("matched").GetInt32();
            var rate = field.Value.GetProperty("rate").GetDouble();
            Assert.True(checkedCount > 0, $"{field.Name}: nothing checked");
            Assert.Equal((double)matched / checkedCount, rate, 1e-9);
            Assert.True(rate >= 0.95, $"{field.Name}: match rate {rate:P1} ({matched}/{checkedCount}) is below 95%");
        }

        Assert.False(File.Exists(db), "whois match-rate created a database");
    }

    [Fact]
    public async Task MatchRate_WithoutCorpusOption_FindsTheSharedCorpusAboveTheProgram_AndListsMismatchesOnRequest()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var info = HeavyjobsProcess.StartInfo(db, "whois", "match-rate", "--mismatches");
        info.Environment.Remove(CorpusVariable);

        var (exit, output, err) = await RunAsync(info);

        Assert.True(exit == 0, output + err);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal($"WHOIS corpus: {FindCorpus()}", lines[0]);
        foreach (var field in _scoredFields)
        {
            Assert.Contains(lines, l => l.StartsWith(field + " ", StringComparison.Ordinal) && l.EndsWith('%'));
        }

        var count = int.Parse(Assert.Single(lines, l => l.StartsWith("mismatches: ", StringComparison.Ordinal))["mismatches: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(count, lines.Count(l => l.StartsWith("registered/", StringComparison.Ordinal) || l.StartsWith("not-found/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WhoisServer_AnswersTheDebianWhoisClient_WritesItsTable_AndExitsZeroOnSigterm()
    {
        Assert.True(File.Exists(WhoisClient), $"{WhoisClient} is missing: install the Debian 'whois' package (test.sh does: scripts/ensure-packages.sh whois).");
        var db = HeavyjobsProcess.NewDbPath();
        var serversFile = Path.Combine(Path.GetDirectoryName(db)!, "servers.json");
        var (server, output) = HeavyjobsProcess.Start(db, "whois-server", "--port-base", "0", "--domains", "1000", "--servers-file", serversFile);
        try
        {
            var tryLine = await WaitForAsync(server, output, TryLine());
            var port = int.Parse(tryLine.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var domain = tryLine.Groups["domain"].Value;
            var sample = SampleLine().Match(Text(output));
            Assert.True(sample.Success, Text(output));
            Assert.Equal(domain, sample.Groups["domain"].Value);
            var registry = sample.Groups["registry"].Value;

            // The printed table and the servers file agree with the command to try.
            Assert.Matches(new Regex($@"^\s+{Regex.Escape(registry)}\s+127\.0\.0\.1:{port}\b", RegexOptions.Multiline), Text(output));
            var table = await WhoisServerTable.LoadJsonFileAsync(serversFile, Ct);
            Assert.Equal(new WhoisEndpoint("127.0.0.1", port), table.ResolveEndpoint(registry));
            Assert.Equal(registry, table.FindServerForDomain(domain));

            var (exit, answer, err) = await RunAsync(WhoisStartInfo("-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), domain));

            Assert.True(exit == 0, $"whois exited {exit}: {answer}{err}");
            var record = WhoisParser.Parse(answer, domain);
            Assert.True(record.Status == WhoisStatus.Registered, $"{record.Status} ({record.Error}): {answer}");
            Assert.Equal(domain, record.Domain);
            Assert.NotNull(record.Registrar);
            Assert.NotEmpty(record.NameServers);

            HeavyjobsProcess.Signal(server, "TERM");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(_deadline);
            await server.WaitForExitAsync(timeout.Token);

            Assert.True(server.ExitCode == 0, $"exit {server.ExitCode}: {Text(output)}");
            var summary = Text(output);
            Assert.Contains("Requests per logical server", summary, StringComparison.Ordinal);
            Assert.Matches(new Regex($@"^\s+{Regex.Escape(registry)}\s+1\s*$", RegexOptions.Multiline), summary);
            Assert.Matches(new Regex(@"^\s+total\s+1\s*$", RegexOptions.Multiline), summary);
            Assert.False(File.Exists(db), "whois-server created a database");
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }

            server.Dispose();
        }
    }

    [Fact]
    public async Task WhoisServer_WithRateLimitedRate_AnswersLimitExceeded_InItsRegistrysWording()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var (server, output) = HeavyjobsProcess.Start(db, "whois-server", "--port-base", "0", "--domains", "100", "--rate-limited-rate", "1");
        try
        {
            var tryLine = await WaitForAsync(server, output, TryLine());
            var (exit, answer, err) = await RunAsync(WhoisStartInfo("-h", "127.0.0.1", "-p", tryLine.Groups["port"].Value, tryLine.Groups["domain"].Value));

            Assert.True(exit == 0, $"whois exited {exit}: {answer}{err}");
            Assert.True(WhoisRateLimitDetector.Create([])(answer), answer);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.Dispose();
        }
    }

    [GeneratedRegex(@"^Try: whois -h 127\.0\.0\.1 -p (?<port>\d+) (?<domain>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex TryLine();

    [GeneratedRegex(@"^Sample domain: (?<domain>\S+) \(registered, registry (?<registry>[^)\s]+)\)\s*$", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    /// <summary>The corpus beside the repository: the first <c>shared/data/whois-corpus</c> above the test binaries.</summary>
    private static string FindCorpus()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "data", "whois-corpus");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        // Never skip: a silently skipped corpus test would hide every parser regression.
        Assert.Fail($"WHOIS corpus not found: no shared/data/whois-corpus in '{AppContext.BaseDirectory}' or any folder above it. Put the 'shared' folder beside the repository.");
        return string.Empty;
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>Polls the collected output (short delays, one deadline) until a line matches; fails if the process ends first.</summary>
    private static async Task<Match> WaitForAsync(Process process, StringBuilder output, Regex line)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var match = line.Match(Text(output));
            if (match.Success)
            {
                return match;
            }

            if (process.HasExited)
            {
                Assert.Fail($"the process exited ({process.ExitCode}) before printing '{line}': {Text(output)}");
            }
            Assert.True(deadline.Elapsed < _deadline, $"no line '{line}' within {_deadline.TotalSeconds} s: {Text(output)}");
            await Task.Delay(20, Ct);
        }
    }

    private static ProcessStartInfo WhoisStartInfo(params string[] args)
    {
        var info = new ProcessStartInfo(WhoisClient)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(ProcessStartInfo info)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(_deadline);
        using var process = Process.Start(info)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
