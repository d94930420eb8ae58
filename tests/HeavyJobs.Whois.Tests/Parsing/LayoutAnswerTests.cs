using System.Globalization;
using HeavyJobs.Whois.Parsing;

namespace HeavyJobs.Whois.Tests.Parsing;

/// <summary>
/// One test per registry layout in <c>LayoutAnswers/</c>: <c>NAME.whois</c> is an answer written here from the
/// registry's documented layout with made-up data, <c>NAME.expected</c> the fields it must give ("field: value"
/// lines; a field left out must come out empty, so a layout that grows a wrong value fails too).
/// </summary>
public sealed class LayoutAnswerTests
{
    private static readonly string _folder = Path.Combine(AppContext.BaseDirectory, "Parsing", "LayoutAnswers");

    public static TheoryData<string> Layouts => new(LayoutNames());

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Reads_the_layout_of_a_registry(string layout)
    {
        var raw = File.ReadAllText(Path.Combine(_folder, layout + ".whois"));
        var expected = ReadExpected(Path.Combine(_folder, layout + ".expected"));

        var record = WhoisParser.Parse(raw, expected.GetValueOrDefault("query"));

        Assert.Equal(expected["status"], record.Status.ToString(), ignoreCase: true);
        Assert.Null(record.Error);
        if (record.Status != WhoisStatus.Registered)
        {
            return;
        }

        Assert.Equal(expected.GetValueOrDefault("domain"), record.Domain);
        Assert.Equal(expected.GetValueOrDefault("registrar"), record.Registrar);
        Assert.Equal(Instant(expected, "created"), record.Created);
        Assert.Equal(Instant(expected, "updated"), record.Updated);
        Assert.Equal(Instant(expected, "expires"), record.Expires);
        var servers = expected.GetValueOrDefault("nameservers")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        Assert.Equal(servers, record.NameServers);
    }

    /// <summary>How the same answer arrives from servers that end, pad or indent its lines differently.</summary>
    public static TheoryData<string, string> LayoutsAsSent
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var layout in LayoutNames())
            {
                foreach (var line in (string[])["crlf", "cr-crlf", "trailing-spaces", "tab-indents"])
                {
                    data.Add(layout, line);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(LayoutsAsSent))]
    public void Reads_a_layout_the_same_however_its_lines_are_ended_padded_or_indented(string layout, string sent)
    {
        var raw = File.ReadAllText(Path.Combine(_folder, layout + ".whois")).ReplaceLineEndings("\n");
        var lines = raw.Split('\n');
        // "\r\r\n": a server that ends its lines with CRLF behind a layer that turns each LF into CRLF again.
        var variant = sent switch
        {
            "crlf" => string.Join("\r\n", lines),
            "cr-crlf" => string.Join("\r\r\n", lines),
            "trailing-spaces" => string.Join("\n", lines.Select(l => l + "   ")),
            _ => string.Join("\n", lines.Select(l => l.Length - l.TrimStart(' ').Length is > 0 and var n ? "\t" + l[n..] : l)),
        };
        var query = ReadExpected(Path.Combine(_folder, layout + ".expected")).GetValueOrDefault("query");

        Assert.Equal(Json(WhoisParser.Parse(raw, query)), Json(WhoisParser.Parse(variant, query)));
    }

    [Fact]
    public void Every_layout_answer_has_its_expected_fields()
    {
        var answers = Directory.GetFiles(_folder, "*.whois").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        var expectations = Directory.GetFiles(_folder, "*.expected").Select(Path.GetFileNameWithoutExtension).ToHashSet();

        Assert.NotEmpty(answers);
        Assert.Equal(answers.Order(StringComparer.Ordinal), expectations.Order(StringComparer.Ordinal));
    }

    private static IEnumerable<string> LayoutNames() =>
        Directory.EnumerateFiles(_folder, "*.whois").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    private static string Json(WhoisRecord record) => WhoisRecordJson.ToJson([("", record)]);

    private static DateTimeOffset? Instant(Dictionary<string, string> expected, string field) =>
        expected.TryGetValue(field, out var text)
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)
            : null;

    private static Dictionary<string, string> ReadExpected(string path)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !line.StartsWith('#'))
            {
                fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return fields;
    }
}
