using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HeavyJobs.Whois.Parsing;

/// <summary>How many checked values of one field the parser reproduced.</summary>
public sealed record CorpusFieldScore(string Field, int Expected, int Matched)
{
    public double Rate => Expected == 0 ? 1.0 : (double)Matched / Expected;
}

/// <summary>One value the parser got wrong, for diagnosis.</summary>
public sealed record CorpusMismatch(string File, string Field, string Expected, string Actual);

/// <summary>
/// Parses every answer of a corpus laid out as <c>registered/&lt;tld&gt;_&lt;domain&gt;</c> (each with a checked
/// <c>.json</c>) and <c>not-found/&lt;tld&gt;_&lt;domain&gt;</c>, and scores the parser against the checked values.
/// A field is scored only on files whose <c>.json</c> has it, and matches only when the values are equal:
/// names case-insensitively after trimming, name servers as sets, dates as instants (<c>*_date_in_time</c>).
/// </summary>
public sealed class CorpusMatchReport
{
    public const string DomainField = "domain";
    public const string NameServersField = "nameServers";
    public const string CreatedField = "created";
    public const string UpdatedField = "updated";
    public const string ExpiresField = "expires";
    public const string RegistrarField = "registrar";
    public const string NotFoundField = "notFound";
    public const string StatusField = "status";

    private CorpusMatchReport(
        string corpusDirectory,
        IReadOnlyList<CorpusFieldScore> fields,
        int registeredFiles,
        int registeredCalledNotFound,
        int registeredCalledBad,
        int notFoundFiles,
        int notFoundRecognised,
        IReadOnlyList<CorpusMismatch> mismatches)
    {
        CorpusDirectory = corpusDirectory;
        Fields = fields;
        RegisteredFiles = registeredFiles;
        RegisteredCalledNotFound = registeredCalledNotFound;
        RegisteredCalledBad = registeredCalledBad;
        NotFoundFiles = notFoundFiles;
        NotFoundRecognised = notFoundRecognised;
        Mismatches = mismatches;
    }

    public string CorpusDirectory { get; }

    /// <summary>Scores in a fixed order: domain, name servers, created, updated, expires, registrar.</summary>
    public IReadOnlyList<CorpusFieldScore> Fields { get; }

    public int RegisteredFiles { get; }

    /// <summary>Registered answers the parser wrongly called "not found".</summary>
    public int RegisteredCalledNotFound { get; }

    /// <summary>Registered answers the parser rejected as bad.</summary>
    public int RegisteredCalledBad { get; }

    public int NotFoundFiles { get; }

    public int NotFoundRecognised { get; }

    public double NotFoundRate => NotFoundFiles == 0 ? 1.0 : (double)NotFoundRecognised / NotFoundFiles;

    public IReadOnlyList<CorpusMismatch> Mismatches { get; }

    public CorpusFieldScore this[string field] =>
        Fields.FirstOrDefault(f => f.Field == field) ?? throw new KeyNotFoundException($"No score for field '{field}'.");

    public static CorpusMatchReport Build(string corpusDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(corpusDirectory);
        var registeredDirectory = Path.Combine(corpusDirectory, "registered");
        var notFoundDirectory = Path.Combine(corpusDirectory, "not-found");
        if (!Directory.Exists(registeredDirectory) || !Directory.Exists(notFoundDirectory))
        {
            throw new DirectoryNotFoundException(
                $"'{corpusDirectory}' is not a WHOIS corpus: it needs 'registered' and 'not-found' folders.");
        }

        var tally = new Tally();
        var mismatches = new List<CorpusMismatch>();
        var registeredFiles = 0;
        var calledNotFound = 0;
        var calledBad = 0;
        foreach (var answerPath in AnswerFiles(registeredDirectory))
        {
            registeredFiles++;
            var file = "registered/" + Path.GetFileName(answerPath);
            var record = WhoisParser.Parse(File.ReadAllText(answerPath));
            if (record.Status != WhoisStatus.Registered)
            {
                mismatches.Add(new CorpusMismatch(file, StatusField, "registered", Describe(record)));
                calledNotFound += record.Status == WhoisStatus.NotFound ? 1 : 0;
                calledBad += record.Status == WhoisStatus.Bad ? 1 : 0;
            }

            var jsonPath = answerPath + ".json";
            if (!File.Exists(jsonPath))
            {
                mismatches.Add(new CorpusMismatch(file, "json", "checked .json beside the answer", "missing"));
                continue;
            }

            using var json = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
            Score(file, json.RootElement, record, tally, mismatches);
        }

        var notFoundFiles = 0;
        var recognised = 0;
        foreach (var answerPath in AnswerFiles(notFoundDirectory))
        {
            notFoundFiles++;
            var record = WhoisParser.Parse(File.ReadAllText(answerPath));
            if (record.Status == WhoisStatus.NotFound)
            {
                recognised++;
            }
            else
            {
                mismatches.Add(new CorpusMismatch("not-found/" + Path.GetFileName(answerPath), NotFoundField, "not-found", Describe(record)));
            }
        }

        return new CorpusMatchReport(
            corpusDirectory, tally.ToScores(), registeredFiles, calledNotFound, calledBad, notFoundFiles, recognised, mismatches);
    }

    /// <summary>A plain-text table of the scores followed by the mismatches.</summary>
    public string ToText()
    {
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(culture, $"WHOIS corpus: {CorpusDirectory}").AppendLine();
        text.Append(culture, $"{"field",-14} {"checked",8} {"matched",8} {"rate",8}").AppendLine();
        foreach (var score in Fields)
        {
            text.Append(culture, $"{score.Field,-14} {score.Expected,8} {score.Matched,8} {score.Rate,8:P1}").AppendLine();
        }

        text.Append(culture, $"{"not-found",-14} {NotFoundFiles,8} {NotFoundRecognised,8} {NotFoundRate,8:P1}").AppendLine();
        text.Append(culture, $"registered answers: {RegisteredFiles}, called not-found: {RegisteredCalledNotFound}, called bad: {RegisteredCalledBad}")
            .AppendLine();
        text.Append(culture, $"mismatches: {Mismatches.Count}").AppendLine();
        foreach (var mismatch in Mismatches)
        {
            text.Append(culture, $"  {mismatch.File}  {mismatch.Field}: expected {mismatch.Expected}, got {mismatch.Actual}").AppendLine();
        }

        return text.ToString();
    }

    private static IEnumerable<string> AnswerFiles(string directory) =>
        Directory.EnumerateFiles(directory)
            .Where(path => !path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);

    private static void Score(string file, JsonElement root, WhoisRecord record, Tally tally, List<CorpusMismatch> mismatches)
    {
        var domain = Object(root, "domain");
        var registrar = Object(root, "registrar");

        var expectedDomain = Text(domain, "domain");
        if (expectedDomain is not null)
        {
            // IDN answers may name the domain in either form; both name the same domain.
            var punycode = Text(domain, "punycode");
            var matched = SameName(expectedDomain, record.Domain) || (punycode is not null && SameName(punycode, record.Domain));
            tally.Count(DomainField, matched, file, expectedDomain, record.Domain, mismatches);
        }

        if (domain is { } d && d.TryGetProperty("name_servers", out var servers) && servers.ValueKind == JsonValueKind.Array
            && servers.GetArrayLength() > 0)
        {
            var expected = servers.EnumerateArray().Select(s => HostKey(s.GetString())).Where(s => s.Length > 0).ToHashSet(StringComparer.Ordinal);
            var actual = record.NameServers.Select(HostKey).ToHashSet(StringComparer.Ordinal);
            tally.Count(NameServersField, expected.SetEquals(actual), file,
                string.Join(", ", expected.Order(StringComparer.Ordinal)), string.Join(", ", actual.Order(StringComparer.Ordinal)), mismatches);
        }

        ScoreInstant(CreatedField, Text(domain, "created_date_in_time"), record.Created, file, tally, mismatches);
        ScoreInstant(UpdatedField, Text(domain, "updated_date_in_time"), record.Updated, file, tally, mismatches);
        ScoreInstant(ExpiresField, Text(domain, "expiration_date_in_time"), record.Expires, file, tally, mismatches);

        var expectedRegistrar = Text(registrar, "name");
        if (expectedRegistrar is not null)
        {
            tally.Count(RegistrarField, SameName(expectedRegistrar, record.Registrar), file, expectedRegistrar, record.Registrar, mismatches);
        }
    }

    private static void ScoreInstant(
        string field, string? expectedText, DateTimeOffset? actual, string file, Tally tally, List<CorpusMismatch> mismatches)
    {
        if (expectedText is null)
        {
            return;
        }

        var parsed = DateTimeOffset.TryParse(expectedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expected);
        var matched = parsed && actual is { } value && value.UtcTicks == expected.UtcTicks;
        tally.Count(field, matched, file, expectedText, actual is { } a ? WhoisRecordJson.FormatInstant(a) : null, mismatches);
    }

    private static JsonElement? Object(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : null;

    private static string? Text(JsonElement? element, string name) =>
        element is { } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;

    private static bool SameName(string expected, string? actual) =>
        actual is not null && string.Equals(expected.Trim(), actual.Trim(), StringComparison.OrdinalIgnoreCase);

    private static string HostKey(string? host) => (host ?? string.Empty).Trim().TrimEnd('.').ToLowerInvariant();

    private static string Describe(WhoisRecord record) => record.Status switch
    {
        WhoisStatus.Registered => "registered",
        WhoisStatus.NotFound => "not-found",
        _ => "bad (" + record.Error + ")",
    };

    private sealed class Tally
    {
        private static readonly string[] _order = [DomainField, NameServersField, CreatedField, UpdatedField, ExpiresField, RegistrarField];
        private readonly Dictionary<string, (int Expected, int Matched)> _counts = new(StringComparer.Ordinal);

        public void Count(string field, bool matched, string file, string expected, string? actual, List<CorpusMismatch> mismatches)
        {
            var (e, m) = _counts.GetValueOrDefault(field);
            _counts[field] = (e + 1, m + (matched ? 1 : 0));
            if (!matched)
            {
                mismatches.Add(new CorpusMismatch(file, field, expected, actual ?? "(none)"));
            }
        }

        public IReadOnlyList<CorpusFieldScore> ToScores() =>
            _order.Select(field =>
            {
                var (e, m) = _counts.GetValueOrDefault(field);
                return new CorpusFieldScore(field, e, m);
            }).ToArray();
    }
}
