namespace HeavyJobs.Whois.Parsing;

/// <summary>Turns a raw WHOIS answer (RFC 3912 text) into a <see cref="WhoisRecord"/>.</summary>
public sealed class WhoisParser
{
    /// <summary>Start of <see cref="WhoisRecord.Error"/> for answers refused because of too many queries.</summary>
    public const string RateLimitedPrefix = "rate limited";

    private WhoisParser()
    {
    }

    /// <summary>
    /// Parses one answer. <paramref name="queriedDomain"/> names the record of an answer that has registration data
    /// but does not repeat the domain, and the record of a "not found" answer.
    /// </summary>
    public static WhoisRecord Parse(string rawAnswer, string? queriedDomain = null)
    {
        ArgumentNullException.ThrowIfNull(rawAnswer);
        var queried = NormalizeQueried(queriedDomain);
        if (string.IsNullOrWhiteSpace(rawAnswer))
        {
            return WhoisRecord.Bad("empty answer", queried);
        }

        if (WhoisHtml.LooksLikeHtml(rawAnswer))
        {
            if (WhoisHtml.IsErrorPage(rawAnswer))
            {
                return WhoisRecord.Bad("unreadable answer", queried);
            }

            // A record wrapped in HTML is still a record; a web server's error page in its place is not an answer.
            var unwrapped = Parse(WhoisHtml.ToText(rawAnswer), queriedDomain);
            return unwrapped.Status is WhoisStatus.Registered or WhoisStatus.NotFound ? unwrapped : WhoisRecord.Bad("unreadable answer", queried);
        }

        if (WhoisAnswerMarkers.IsUnreadable(rawAnswer))
        {
            return WhoisRecord.Bad("unreadable answer", queried);
        }

        // Lines ended "\r\r\n" (CRLF text sent through a layer that turns each LF into CRLF again) would read as
        // blank lines between every two, and a blank line ends a header's list of items.
        if (rawAnswer.Contains("\r\r\n", StringComparison.Ordinal))
        {
            rawAnswer = rawAnswer.Replace("\r\r\n", "\n", StringComparison.Ordinal);
        }

        // A registry that writes its dates month first says so next to them, if anywhere ("Expiration Date (mm/dd/yyyy)").
        var builder = new WhoisRecordBuilder { MonthFirst = rawAnswer.Contains("mm/dd/yy", StringComparison.OrdinalIgnoreCase) };
        WhoisAnswerScanner.Scan(rawAnswer, builder);

        // A "no match" sentence only counts when nothing else says the domain exists: registered answers
        // quote such sentences in their terms of use. Looking for them only then also keeps the common case fast.
        // A registrar or an update stamp does not say so: not-found answers name their server and its last update.
        if (!builder.HasDomainData)
        {
            var notFoundLine = builder.NotFoundMarker && (builder.Domain ?? queried) is not null ? null : WhoisAnswerMarkers.FindNotFoundLine(rawAnswer);
            if (builder.NotFoundMarker || notFoundLine is not null)
            {
                // Without a domain line or a query, the sentence itself may name the domain.
                return WhoisRecord.NotFound(builder.Domain ?? queried ?? (notFoundLine is null ? null : WhoisAnswerMarkers.DomainNamedIn(notFoundLine)));
            }
        }

        if (!builder.HasRegistrationData)
        {
            var rateLimitLine = WhoisAnswerMarkers.FindRateLimitLine(rawAnswer);
            if (rateLimitLine is not null)
            {
                return WhoisRecord.Bad($"{RateLimitedPrefix}: {rateLimitLine}", queried);
            }
        }

        var endsCleanly = rawAnswer.EndsWith('\n');
        var domain = builder.Domain ?? (builder.HasAnyField ? queried ?? builder.HeaderDomain : null);
        if (builder.Domain is null && !builder.HasRegistrationData && !endsCleanly && builder.KeyValueLines > 0)
        {
            // Key-value lines cut off before the domain came through look like a dropped connection.
            return WhoisRecord.Bad("truncated", queried);
        }

        if (builder.Domain is null && !builder.HasAnyField)
        {
            return WhoisRecord.Bad("no domain field", queried);
        }

        if (!builder.HasRegistrationData && !builder.HasStatuses && !endsCleanly)
        {
            // The domain line arrived but the connection closed before any of its data.
            return WhoisRecord.Bad("truncated", domain);
        }

        // Many registries never repeat the domain (.kg in a sentence, JANET under a header, some not at all): the
        // fields that did come out still make a record, named by the query when the caller knows it.
        return builder.Build(WhoisStatus.Registered) with { Domain = domain };
    }

    /// <summary>
    /// True when the answer is the server refusing to answer because of too many queries. An answer carrying a
    /// record or a "not found" sentence is never rate limited, whatever its terms of use say about throttling.
    /// </summary>
    public static bool IsRateLimited(string rawAnswer) =>
        Parse(rawAnswer).Error?.StartsWith(RateLimitedPrefix, StringComparison.Ordinal) == true;

    private static string? NormalizeQueried(string? queriedDomain)
    {
        var trimmed = queriedDomain.AsSpan().Trim().TrimEnd('.');
        return trimmed.IsEmpty ? null : trimmed.ToString().ToLowerInvariant();
    }
}
