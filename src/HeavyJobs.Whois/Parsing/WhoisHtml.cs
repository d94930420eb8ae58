using System.Net;

namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// Answers wrapped in HTML: a few registries send their port-43 record inside <c>&lt;pre&gt;</c>, as lines ended by
/// <c>&lt;br&gt;</c>, or as a table, the way their web page shows it. The markup is turned back into lines so the
/// scanner reads them like any other answer; a web server's error page stays unreadable (see <see cref="WhoisParser"/>).
/// </summary>
internal static class WhoisHtml
{
    // Tags that end a line where a browser would break it; cells end with a tab, which reads as a table row's gap.
    private static readonly string[] _lineTags = ["p", "div", "tr", "li", "pre", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "dt", "dd"];
    private static readonly string[] _hiddenTags = ["head", "script", "style"];
    private static readonly string[] _cellTags = ["td", "th"];
    private static readonly string[] _markers = ["<br", "<pre", "</pre", "<td", "</td", "<p>", "</p>", "<b>", "</b>", "<html", "<body", "<div", "</div", "<table", "<tr", "<font", "<strong", "<!doctype"];

    /// <summary>True when the answer carries at least two tags of a web page; "&lt;&lt;&lt;" banners and mail addresses in brackets do not.</summary>
    public static bool LooksLikeHtml(string raw)
    {
        if (!HasTagStart(raw))
        {
            return false;
        }

        var tags = 0;
        foreach (var marker in _markers)
        {
            var at = raw.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (at >= 0 && ++tags >= 2)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A web server's own error page ("&lt;title&gt;404 Not Found&lt;/title&gt;"): its "Not Found" is about a URL, not
    /// about the domain, so the page must not read as a not-found answer.
    /// </summary>
    public static bool IsErrorPage(string raw)
    {
        var start = raw.IndexOf("<title", StringComparison.OrdinalIgnoreCase);
        var open = start < 0 ? -1 : raw.IndexOf('>', start);
        var end = open < 0 ? -1 : raw.IndexOf("</title", open, StringComparison.OrdinalIgnoreCase);
        if (end < 0)
        {
            return false;
        }

        var title = raw.AsSpan(open + 1, end - open - 1).Trim();
        var digits = 0;
        while (digits < title.Length && char.IsAsciiDigit(title[digits]))
        {
            digits++;
        }

        return (digits == 3 && title[0] is '4' or '5')
            || title.Contains("error", StringComparison.OrdinalIgnoreCase)
            || title.Contains("forbidden", StringComparison.OrdinalIgnoreCase)
            || title.Contains("unavailable", StringComparison.OrdinalIgnoreCase)
            || title.Contains("bad gateway", StringComparison.OrdinalIgnoreCase);
    }

    // Most answers have no '<' at all, and gTLD answers only their ">>> Last update ... <<<" line: one cheap pass
    // before the search for markers.
    private static bool HasTagStart(string raw)
    {
        var at = raw.IndexOf('<', StringComparison.Ordinal);
        while (at >= 0 && at + 1 < raw.Length)
        {
            if (char.IsAsciiLetter(raw[at + 1]) || raw[at + 1] is '/' or '!')
            {
                return true;
            }

            at = raw.IndexOf('<', at + 1);
        }

        return false;
    }

    public static string ToText(string raw)
    {
        var text = new System.Text.StringBuilder(raw.Length);
        var i = 0;
        while (i < raw.Length)
        {
            var c = raw[i];
            var close = c == '<' ? raw.IndexOf('>', i + 1) : -1;
            if (close < 0)
            {
                text.Append(c);
                i++;
                continue;
            }

            var name = TagName(raw.AsSpan(i + 1, close - i - 1), out var closing);
            i = close + 1;
            if (!closing && IsOneOf(name, _hiddenTags))
            {
                // The page's title ("WHOIS") would read as a title of the record; scripts and styles are no text at all.
                var end = raw.IndexOf("</" + name.ToString(), i, StringComparison.OrdinalIgnoreCase);
                var endClose = end < 0 ? -1 : raw.IndexOf('>', end);
                i = endClose < 0 ? raw.Length : endClose + 1;
            }
            else if (closing && IsOneOf(name, _cellTags))
            {
                text.Append('\t');
            }
            else if (name.Equals("br", StringComparison.OrdinalIgnoreCase) || (closing && IsOneOf(name, _lineTags)))
            {
                // The tag ends the line; a line break right after it in the source is the same break, not a blank line
                // (a blank line would end a list of name servers).
                text.Append('\n');
                i = SkipLineBreak(raw, i);
            }
            else if (IsOneOf(name, _lineTags) && text.Length > 0 && text[^1] != '\n')
            {
                text.Append('\n');
            }
        }

        return WebUtility.HtmlDecode(text.ToString());
    }

    private static int SkipLineBreak(string raw, int i)
    {
        var j = i;
        while (j < raw.Length && raw[j] is ' ' or '\t' or '\r')
        {
            j++;
        }

        return j < raw.Length && raw[j] == '\n' ? j + 1 : i;
    }

    private static ReadOnlySpan<char> TagName(ReadOnlySpan<char> tag, out bool closing)
    {
        tag = tag.TrimStart();
        closing = tag.StartsWith('/');
        if (closing)
        {
            tag = tag[1..];
        }

        var end = 0;
        while (end < tag.Length && char.IsAsciiLetterOrDigit(tag[end]))
        {
            end++;
        }

        return tag[..end];
    }

    private static bool IsOneOf(ReadOnlySpan<char> name, string[] names)
    {
        foreach (var candidate in names)
        {
            if (name.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
