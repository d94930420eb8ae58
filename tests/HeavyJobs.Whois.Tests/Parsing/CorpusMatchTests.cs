using HeavyJobs.Whois.Parsing;

namespace HeavyJobs.Whois.Tests.Parsing;

public sealed class CorpusMatchTests(ITestOutputHelper output)
{
    // The shared corpus must stay at or above 97 % on every field while the parser learns other layouts.
    private const double RequiredRate = 0.97;

    [Fact]
    public void Parser_reproduces_the_checked_fields_of_the_corpus()
    {
        var report = CorpusMatchReport.Build(CorpusLocator.Find());
        var text = report.ToText();
        output.WriteLine(text);

        var failures = new List<string>();
        string[] fields =
        [
            CorpusMatchReport.DomainField, CorpusMatchReport.NameServersField, CorpusMatchReport.CreatedField,
            CorpusMatchReport.UpdatedField, CorpusMatchReport.ExpiresField, CorpusMatchReport.RegistrarField,
        ];
        foreach (var field in fields)
        {
            var score = report[field];
            if (score.Expected == 0)
            {
                failures.Add($"{field}: no checked values found, the corpus or its .json layout changed");
            }
            else if (score.Rate < RequiredRate)
            {
                failures.Add($"{field}: {score.Matched}/{score.Expected} ({score.Rate:P1}) is below {RequiredRate:P0}");
            }
        }

        if (report.NotFoundFiles == 0 || report.NotFoundRate < RequiredRate)
        {
            failures.Add($"not-found: {report.NotFoundRecognised}/{report.NotFoundFiles} recognised");
        }

        if (report.RegisteredCalledNotFound != 0)
        {
            failures.Add($"{report.RegisteredCalledNotFound} registered answers were called not-found");
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures) + Environment.NewLine + text);
    }

    [Fact]
    public void No_corpus_answer_is_taken_for_a_rate_limit()
    {
        var corpus = CorpusLocator.Find();
        var flagged = Directory.EnumerateFiles(corpus, "*", SearchOption.AllDirectories)
            .Where(path => Path.GetDirectoryName(path) != corpus && !path.EndsWith(".json", StringComparison.Ordinal))
            .Where(path => WhoisParser.IsRateLimited(File.ReadAllText(path)))
            .ToList();

        Assert.Empty(flagged);
    }
}
