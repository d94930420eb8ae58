using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using HeavyJobs.Whois.Parsing;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Cli.Commands;

/// <summary>
/// <c>heavyjobs whois parse|match-rate</c> and <c>heavyjobs whois-server</c>: the WHOIS parts without a database
/// (none of these commands opens one, so they work before <c>migrate</c> and beside any store).
/// </summary>
internal static class WhoisCommand
{
    /// <summary>Overrides where <c>match-rate</c> looks for the corpus.</summary>
    public const string CorpusEnvironmentVariable = "HEAVYJOBS_WHOIS_CORPUS";

    private static readonly string[] _corpusRelativePath = ["shared", "data", "whois-corpus"];
    private static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);


    public static Command Create(CliApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new Command("whois", "The WHOIS parser: parse saved answers, score it on the checked corpus.")
        {
            CreateParse(),
            CreateMatchRate(),
        };
    }

    private static Command CreateParse()
    {
        var files = new Argument<string[]>("FILE") { Description = "Files holding one raw WHOIS answer each.", Arity = ArgumentArity.OneOrMore };
        var domain = new Option<string?>("--domain") { Description = "The queried domain, for answers that do not name it (\"not found\" answers, some registries)." };
        var command = new Command("parse", "Parse saved WHOIS answers; print a JSON array with one record per file (exit 1 if a file could not be read).")
        {
            files, domain,
        };
        command.SetAction(async (parse, ct) =>
        {
            var queried = parse.GetValue(domain);
            var records = new List<(string File, WhoisRecord Record)>();
            var unreadable = 0;
            foreach (var file in parse.GetValue(files) ?? [])
            {
                WhoisRecord record;
                try
                {
                    record = WhoisParser.Parse(Decode(await File.ReadAllBytesAsync(file, ct)), queried);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    unreadable++;
                    record = WhoisRecord.Bad($"cannot read: {ex.Message}", string.IsNullOrWhiteSpace(queried) ? null : queried.Trim().TrimEnd('.').ToLowerInvariant());
                }

                records.Add((file, record));
            }

            Console.WriteLine(WhoisRecordJson.ToJson(records, indented: true));
            return unreadable == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command CreateMatchRate()
    {
        var corpus = new Option<string?>("--corpus")
        {
            Description = $"The corpus folder (registered/ and not-found/). Default: ${CorpusEnvironmentVariable}, else the first shared/data/whois-corpus above the current or the program's folder.",
        };
        var json = new Option<bool>("--json") { Description = "Print JSON: per field the values checked, matched and the rate." };
        var mismatches = new Option<bool>("--mismatches") { Description = "List every value the parser got wrong." };
        var command = new Command("match-rate", "Score the parser on the checked WHOIS corpus: the share of each field it reproduces.")
        {
            corpus, json, mismatches,
        };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var directory = FindCorpus(parse.GetValue(corpus));
                var report = await Task.Run(() => CorpusMatchReport.Build(directory), ct);
                Console.Write(parse.GetValue(json)
                    ? JsonSerializer.Serialize(ToJson(report, parse.GetValue(mismatches)), _json) + Environment.NewLine
                    : ToText(report, parse.GetValue(mismatches)));
                return 0;
            }
            catch (Exception ex) when (ex is UserError or IOException or UnauthorizedAccessException or JsonException)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>UTF-8 when the bytes are valid UTF-8, else Latin-1 (any byte is Latin-1): RFC 3912 names no character set.</summary>
    private static string Decode(byte[] bytes)
    {
        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        try
        {
            return _strictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(bytes, start, bytes.Length - start);
        }
    }

    private static string FindCorpus(string? given)
    {
        if (!string.IsNullOrWhiteSpace(given))
        {
            return Directory.Exists(given) ? Path.GetFullPath(given) : throw new UserError($"--corpus: no folder '{given}'");
        }

        var configured = Environment.GetEnvironmentVariable(CorpusEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Directory.Exists(configured)
                ? Path.GetFullPath(configured)
                : throw new UserError($"{CorpusEnvironmentVariable} is set to '{configured}', but that folder does not exist");
        }

        foreach (var start in (string[])[Directory.GetCurrentDirectory(), AppContext.BaseDirectory])
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine([directory.FullName, .. _corpusRelativePath]);
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new UserError(
            $"WHOIS corpus not found: no {Path.Combine(_corpusRelativePath)} above '{Directory.GetCurrentDirectory()}' or '{AppContext.BaseDirectory}'; "
            + $"pass --corpus DIR or set {CorpusEnvironmentVariable}");
    }

    private static IEnumerable<(string Field, int Checked, int Matched, double Rate)> Scores(CorpusMatchReport report) =>
    [
        .. report.Fields.Select(f => (f.Field, f.Expected, f.Matched, f.Rate)),
        (CorpusMatchReport.NotFoundField, report.NotFoundFiles, report.NotFoundRecognised, report.NotFoundRate),
    ];

    private static object ToJson(CorpusMatchReport report, bool withMismatches)
    {
        var fields = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (field, checkedCount, matched, rate) in Scores(report))
        {
            fields[field] = new { @checked = checkedCount, matched, rate };
        }

        return new
        {
            corpus = report.CorpusDirectory,
            registeredFiles = report.RegisteredFiles,
            registeredCalledNotFound = report.RegisteredCalledNotFound,
            registeredCalledBad = report.RegisteredCalledBad,
            notFoundFiles = report.NotFoundFiles,
            notFoundRecognised = report.NotFoundRecognised,
            fields,
            mismatchCount = report.Mismatches.Count,
            mismatches = withMismatches
                ? report.Mismatches.Select(m => new { file = m.File, field = m.Field, expected = m.Expected, actual = m.Actual })
                : null,
        };
    }

    private static string ToText(CorpusMatchReport report, bool withMismatches)
    {
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(culture, $"WHOIS corpus: {report.CorpusDirectory}").AppendLine();
        text.Append(culture, $"{"field",-12} {"checked",8} {"matched",8} {"rate",8}").AppendLine();
        foreach (var (field, checkedCount, matched, rate) in Scores(report))
        {
            text.Append(culture, $"{field,-12} {checkedCount,8} {matched,8} {Percent(rate),8}").AppendLine();
        }

        text.Append(culture, $"registered answers: {report.RegisteredFiles} (called not-found: {report.RegisteredCalledNotFound}, called bad: {report.RegisteredCalledBad})")
            .AppendLine();
        text.Append(culture, $"mismatches: {report.Mismatches.Count}");
        if (!withMismatches)
        {
            text.Append(report.Mismatches.Count == 0 ? string.Empty : " (list them with --mismatches)").AppendLine();
            return text.ToString();
        }

        text.AppendLine();
        foreach (var m in report.Mismatches)
        {
            text.Append(culture, $"  {m.File}  {m.Field}: expected {m.Expected}, got {m.Actual}").AppendLine();
        }

        return text.ToString();
    }

    private static string Percent(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

}
