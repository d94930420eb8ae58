using System.Diagnostics;
using HeavyJobs.Whois.Parsing;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// The WHOIS parser's speed over the shared corpus of real answers (../shared/data/whois-corpus beside the
/// repository, or HEAVYJOBS_WHOIS_CORPUS): a pathological pattern or a quadratic scan shows here, not as a timed test.
/// </summary>
internal static class WhoisParseScenario
{
    public static Task RunAsync(BenchContext ctx)
    {
        var corpus = Environment.GetEnvironmentVariable("HEAVYJOBS_WHOIS_CORPUS") is { Length: > 0 } given
            ? given
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ctx.Cli)!, "..", "..", "..", "..", "..", "..", "shared", "data", "whois-corpus"));
        if (!Directory.Exists(corpus))
        {
            throw new DirectoryNotFoundException($"WHOIS corpus not found at {corpus}: set HEAVYJOBS_WHOIS_CORPUS");
        }

        var answers = Directory.EnumerateFiles(corpus, "*", SearchOption.AllDirectories)
            .Where(path => Path.GetDirectoryName(path) != corpus && !path.EndsWith(".json", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .ToArray();
        foreach (var answer in answers)
        {
            WhoisParser.Parse(answer);
        }

        var rounds = ctx.Quick ? 20 : 100;
        var watch = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var answer in answers)
            {
                WhoisParser.Parse(answer);
            }
        }

        ctx.Results.Set("whois.parse_us_per_answer", watch.Elapsed.TotalMicroseconds / (rounds * answers.Length), $"{answers.Length} corpus answers x {rounds} rounds, one thread");
        return Task.CompletedTask;
    }
}
