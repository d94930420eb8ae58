using System.Globalization;
using System.Text;
using HeavyJobs.Whois.Parsing;

namespace HeavyJobs.Whois.Tests.Parsing;

/// <summary>
/// A generalisation test: every registered answer of the shared corpus, rewritten the way another server could send
/// the same record (keys in another case, other spacing around the colon, indented lines, a disclaimer after it, CRLF
/// line ends), must parse to the same fields as the original. The reference is the parser's own reading of the
/// original, not the checked <c>.json</c>: the question is whether the reading survives the rewrite.
/// </summary>
public sealed class CorpusVariantTests(ITestOutputHelper output)
{
    private const string Disclaimer =
        "TERMS OF USE: The data in this record is provided for information purposes only, and we do not guarantee its\n"
        + "accuracy. You agree that you will use this data only for lawful purposes and that, under no circumstances,\n"
        + "will you use it to allow, enable or otherwise support the transmission of mass unsolicited commercial\n"
        + "advertising or solicitations via e-mail, telephone or facsimile. We reserve the right to modify these terms at\n"
        + "any time. By submitting this query, you agree to abide by this policy.\n";

    private const string Banner =
        "Welcome to the WHOIS service of this registry. The information below is provided for the convenience of\n"
        + "the public; please use it responsibly.\n";

    private static readonly string[] _kinds =
        [
            "keys-upper", "keys-lower", "keys-title", "space-before-colon", "no-space-after-colon", "tab-after-colon",
            "values-aligned", "dot-leaders", "keys-hyphenated", "keys-underscored", "indented", "tab-indented", "disclaimer",
            "stamped-disclaimer", "banner", "crlf", "all-at-once",
        ];

    [Fact]
    public void Every_registered_answer_reads_the_same_when_another_server_could_have_sent_it() =>
        Check("registered", WhoisStatus.Registered, _kinds);

    // A not-found answer is one sentence such as "Not found: example.ca" or "NO MATCH: example.edu": its colon ends the
    // sentence, not a key, so joining its words with hyphens or underscores rewrites the sentence and those kinds are
    // left out. Everything else must still say "not found".
    [Fact]
    public void Every_not_found_answer_stays_not_found_when_another_server_could_have_sent_it() =>
        Check("not-found", WhoisStatus.NotFound, _kinds.Where(k => k is not ("keys-hyphenated" or "keys-underscored")).ToArray());

    private void Check(string subfolder, WhoisStatus status, string[] kinds)
    {
        var folder = Path.Combine(CorpusLocator.Find(), subfolder);
        var answers = Directory.EnumerateFiles(folder).Where(p => !p.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        var failures = new List<string>();
        var failedAnswers = new HashSet<string>(StringComparer.Ordinal);
        var failedByKind = kinds.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
        var variants = 0;
        foreach (var path in answers)
        {
            var raw = File.ReadAllText(path).ReplaceLineEndings("\n");
            var original = WhoisParser.Parse(raw);
            if (original.Status != status)
            {
                // Nothing read to keep: the corpus test already counts these.
                continue;
            }

            var expected = Fields(original);
            foreach (var kind in kinds)
            {
                var variant = Variant(raw, kind);
                if (variant is null || variant == raw)
                {
                    continue;
                }

                variants++;
                var actual = Fields(WhoisParser.Parse(variant));
                if (actual != expected)
                {
                    failedByKind[kind]++;
                    failedAnswers.Add(Path.GetFileName(path));
                    failures.Add($"{Path.GetFileName(path)} [{kind}]{Environment.NewLine}    was {expected}{Environment.NewLine}    now {actual}");
                }
            }
        }

        var summary = $"{answers.Count} answers, {variants} variants: {failures.Count} variants of {failedAnswers.Count} answers read differently ("
            + string.Join(", ", failedByKind.Select(p => $"{p.Key} {p.Value}")) + ")";
        output.WriteLine(summary);
        Assert.True(failures.Count == 0, summary + Environment.NewLine + string.Join(Environment.NewLine, failures));
    }

    /// <summary>The answer as the other server would send it; null where the rewrite would change what it says.</summary>
    private static string? Variant(string raw, string kind)
    {
        var lines = raw.Split('\n');
        return kind switch
        {
            "keys-upper" => RewriteKeys(lines, (key, colon, value) => key.ToUpperInvariant() + colon + value),
            "keys-lower" => RewriteKeys(lines, (key, colon, value) => key.ToLowerInvariant() + colon + value),
            "space-before-colon" => RewriteKeys(lines, (key, colon, value) => key.TrimEnd() + " " + colon + value),
            "no-space-after-colon" => RewriteKeys(lines, (key, colon, value) => key + colon + value.TrimStart()),
            "keys-title" => RewriteKeys(lines, (key, colon, value) => TitleCase(key) + colon + value),
            "tab-after-colon" => RewriteKeys(lines, (key, colon, value) => value.Length == 0 ? key + colon : key + colon + "\t" + value.TrimStart()),
            "values-aligned" => RewriteKeys(lines, (key, colon, value) => value.Length == 0 ? key + colon : (key + colon).PadRight(40) + value.TrimStart()),
            // .fi and .kz: "domain.............: example.fi".
            "dot-leaders" => RewriteKeys(lines, (key, colon, value) => key.TrimEnd().PadRight(36, '.') + colon + value),
            "keys-hyphenated" => RewriteKeys(lines, (key, colon, value) => key.Trim().Replace(' ', '-') + colon + value),
            "keys-underscored" => RewriteKeys(lines, (key, colon, value) => key.Trim().Replace(' ', '_') + colon + value),
            "indented" => string.Join("\n", lines.Select(l => l.Trim().Length == 0 ? l : "   " + l)),
            "tab-indented" => string.Join("\n", lines.Select(l => l.Trim().Length == 0 ? l : "\t" + l)),
            // A server's greeting in prose ahead of the record, as a paragraph of its own.
            "banner" => Banner + "\n" + raw,
            // After a blank line, so the paragraph cannot continue a list the answer ends with.
            "disclaimer" => raw.TrimEnd('\n') + "\n\n" + Disclaimer,
            // The server's own stamp, which says when its database was refreshed and nothing about the domain.
            "stamped-disclaimer" => raw.TrimEnd('\n') + "\n\nLast update of WHOIS database: 2031-01-02T03:04:05Z\n" + Disclaimer,
            "crlf" => string.Join("\r\n", lines),
            "all-at-once" => string.Join("\r\n", (Variant(Variant(raw, "keys-upper")!, "space-before-colon")!.TrimEnd('\n') + "\n\n" + Disclaimer)
                .Split('\n').Select(l => l.Trim().Length == 0 ? l : "  " + l)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    // Rewrites the key of each "Key: value" line (after its indentation) and "[Key] value" line. A line is taken for a
    // key only if what comes before the colon could be a key: it starts with a letter, is short, and is not the scheme of
    // a URL ("https://..."); a colon between digits is a time's ("Record created on 2018-02-05 22:59:12"), and banners
    // and sentences with a colon late in them keep their text.
    private static string RewriteKeys(string[] lines, Func<string, string, string, string> rewrite)
    {
        var text = new StringBuilder();
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var body = line.TrimStart();
            var indent = line[..(line.Length - body.Length)];
            if (n > 0)
            {
                text.Append('\n');
            }

            if (body.StartsWith('[') && body.IndexOf(']', StringComparison.Ordinal) is > 1 and var close && close < 40 && body[1] != ' ')
            {
                // JPRS and MYNIC write "[Domain Name]   EXAMPLE.JP": only the case variants apply to a bracketed key.
                var key = body[1..close];
                var cased = rewrite(key, "", "");
                text.Append(indent).Append('[').Append(cased.Trim() == key.Trim() ? key : cased).Append(body[close..]);
                continue;
            }

            var colon = body.IndexOfAny([':', '：']);
            if (colon <= 0 || colon > 40 || !char.IsLetter(body[0]) || body[(colon + 1)..].StartsWith("//", StringComparison.Ordinal)
                || (char.IsAsciiDigit(body[colon - 1]) && colon + 1 < body.Length && char.IsAsciiDigit(body[colon + 1]))
                || body[..colon].Any(c => !(char.IsLetterOrDigit(c) || c is ' ' or '\t' or '-' or '_' or '.' or '/' or '(' or ')' or '#' or '\'' or '&')))
            {
                text.Append(line);
                continue;
            }

            text.Append(indent).Append(rewrite(body[..colon], body[colon].ToString(), body[(colon + 1)..]));
        }

        return text.ToString();
    }

    private static string TitleCase(string key)
    {
        var chars = key.ToLowerInvariant().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (i == 0 || !char.IsLetterOrDigit(chars[i - 1]))
            {
                chars[i] = char.ToUpperInvariant(chars[i]);
            }
        }

        return new string(chars);
    }

    private static string Fields(WhoisRecord record) => string.Join(" | ",
        record.Status,
        record.Domain,
        record.Registrar,
        Instant(record.Created),
        Instant(record.Updated),
        Instant(record.Expires),
        string.Join(" ", record.NameServers));

    private static string Instant(DateTimeOffset? value) => value?.ToString("O", CultureInfo.InvariantCulture) ?? "-";
}
