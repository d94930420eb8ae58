namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// Collects field values while an answer is scanned. Each scalar keeps the value of the highest priority seen,
/// the first one on ties, because registries print the domain's own data before contact and registrar blocks
/// that reuse the same keys ("created:", "changed:").
/// </summary>
internal sealed partial class WhoisRecordBuilder
{
    // What registries print where they have no value: "Registrar: N/A", "Registrar: -", "Registrar: (none)".
    private static readonly string[] _placeholders =
        ["-", "--", "n/a", "n.a.", "na", "none", "(none)", "null", "unknown", "not available", "not applicable", "not disclosed"];

    /// <summary>The answer says its dates are month first ("Creation Date (mm/dd/yyyy)"): an ambiguous numeric pair is read so.</summary>
    public bool MonthFirst { get; init; }

    private readonly List<string> _nameServers = new(8);
    private readonly List<string> _weakNameServers = new(4);
    private readonly List<string> _statuses = new(8);
    private Slot<string> _domain;
    private Slot<string> _registrar;
    private bool _registrarIsHandle;
    private Slot<string> _registrantOrganization;
    private Slot<string> _registrantCountry;
    private Slot<DateTimeOffset> _created;
    private Slot<DateTimeOffset> _updated;
    private Slot<DateTimeOffset> _expires;

    /// <summary>A line or status value said the domain does not exist.</summary>
    public bool NotFoundMarker { get; set; }

    /// <summary>Number of "key: value" lines seen, whatever their key.</summary>
    public int KeyValueLines { get; set; }

    public string? Domain => _domain.Value;

    /// <summary>
    /// The domain a title sentence names ("Information about domain example.xy"), for an answer without a domain
    /// line when the caller did not say what it asked: the query is the surer name.
    /// </summary>
    public string? HeaderDomain { get; private set; }

    public void SetHeaderDomain(ReadOnlySpan<char> value) => HeaderDomain ??= value.ToString().ToLowerInvariant();

    /// <summary>Handle of the registrant's contact object, for RIPE-style answers that list contacts separately.</summary>
    public string? RegistrantHandle { get; private set; }

    public void SetRegistrantHandle(ReadOnlySpan<char> value)
    {
        var handle = value.Trim();
        if (RegistrantHandle is null && !handle.IsEmpty)
        {
            RegistrantHandle = handle.ToString();
        }
    }

    public bool IsRegistrantHandle(ReadOnlySpan<char> value) =>
        RegistrantHandle is not null && value.Trim().Equals(RegistrantHandle, StringComparison.OrdinalIgnoreCase);

    /// <summary>A single token with a digit in it ("FMR13403268-NICAT") is a contact handle, not a name.</summary>
    public static bool IsHandle(ReadOnlySpan<char> value)
    {
        var text = value.Trim();
        return !text.IsEmpty && text.IndexOfAny(' ', '\t') < 0 && text.IndexOfAnyInRange('0', '9') >= 0;
    }

    /// <summary>Something only a registered domain has; statuses are left out because "No Object Found" is one.</summary>
    public bool HasRegistrationData =>
        _nameServers.Count > 0 || _weakNameServers.Count > 0 || _registrar.Priority > 0
        || _created.Priority > 0 || _updated.Priority > 0 || _expires.Priority > 0;

    /// <summary>
    /// Data a "not found" answer never carries: name servers, a creation or an expiry. A registrar or a last-update
    /// stamp alone can be the server speaking of itself ("Last updated on 2024-01-01" under "No entries found").
    /// </summary>
    /// <remarks>Values only the heuristic layer read do not count: a not-found sentence outweighs a guess.</remarks>
    public bool HasDomainData { get; private set; }

    public bool HasStatuses => _statuses.Count > 0;

    /// <summary>Any field at all came out, so the answer is a record even without a domain line.</summary>
    public bool HasAnyField =>
        HasRegistrationData || HasStatuses || _registrantOrganization.Priority > 0 || _registrantCountry.Priority > 0;

    public void SetDomain(ReadOnlySpan<char> value, int priority)
    {
        if (priority <= _domain.Priority)
        {
            return;
        }

        // "GOOGLE.TK is Active", "example.com.", "example.com, registered", "\"example.com\"" -> the host name alone.
        var token = FirstToken(value).TrimEnd(",;").Trim("\"'").TrimEnd('.');
        if (token.IsEmpty || token.Contains(':') || token.Contains('@'))
        {
            return;
        }

        _domain.Set(token.ToString().ToLowerInvariant(), priority);
    }

    public void SetRegistrar(ReadOnlySpan<char> value, int priority)
    {
        var name = StripUrlAnnotation(value.Trim());
        var handle = IsHandle(name);
        if (handle)
        {
            // "registrar: EXREG-1" names the registrar by its handle; the name in the registrar's own object or block
            // ("org: Example Registrar Ltd") says the same better, wherever it comes.
            priority = Math.Min(priority, 1);
        }

        var replacesHandle = !handle && priority == _registrar.Priority && _registrarIsHandle;
        if ((priority <= _registrar.Priority && !replacesHandle) || name.IsEmpty || IsPlaceholder(name))
        {
            return;
        }

        _registrar.Set(name.ToString(), priority);
        _registrarIsHandle = handle;
    }

    public void SetRegistrantOrganization(ReadOnlySpan<char> value, int priority)
    {
        var text = value.Trim();
        if (!text.IsEmpty && priority > _registrantOrganization.Priority)
        {
            _registrantOrganization.Set(text.ToString(), priority);
        }
    }

    public void SetRegistrantCountry(ReadOnlySpan<char> value, int priority)
    {
        var text = value.Trim();
        if (!text.IsEmpty && priority > _registrantCountry.Priority)
        {
            _registrantCountry.Set(text.ToString(), priority);
        }
    }

    public void SetDate(WhoisKey key, ReadOnlySpan<char> value, int priority, bool guessed = false)
    {
        // ISOC-IL: "changed: registrar AT example.il 19990420 (Assigned)" - the first change is the creation.
        if (key == WhoisKey.Updated && value.EndsWith("(Assigned)", StringComparison.OrdinalIgnoreCase))
        {
            key = WhoisKey.Created;
        }

        ref var slot = ref key == WhoisKey.Created ? ref _created : ref key == WhoisKey.Updated ? ref _updated : ref _expires;
        if (priority > slot.Priority
            && (WhoisDateParser.TryParse(value, MonthFirst, out var instant) || WhoisDateParser.TryParse(AfterMailAddress(value), MonthFirst, out instant)
                || WhoisDateParser.TryParse(AfterHandle(value), MonthFirst, out instant)))
        {
            slot.Set(instant, priority);
            HasDomainData |= !guessed && key != WhoisKey.Updated;
        }
    }

    // RIPE-style "changed:" lines name who changed the object before the date: "hostmaster@example.net 20200101",
    // "registrar AT example.il 19990420".
    private static ReadOnlySpan<char> AfterMailAddress(ReadOnlySpan<char> value)
    {
        var at = value.IndexOf(" AT ", StringComparison.Ordinal);
        var start = at >= 0 ? at + 4 : value.IndexOf('@');
        if (start < 0)
        {
            return default;
        }

        var rest = value[start..].TrimStart();
        var space = rest.IndexOfAny(' ', '\t');
        return space < 0 ? default : rest[space..].Trim();
    }

    // UANIC names the object that made the change before its stamp: "created: 0-UANIC 20040115101010",
    // "changed: UARNIC-MNT 20121106141522". Only tried once the whole value failed to read as a date.
    private static ReadOnlySpan<char> AfterHandle(ReadOnlySpan<char> value)
    {
        var text = value.Trim();
        var space = text.IndexOfAny(' ', '\t');
        return space <= 0 ? default : text[space..].Trim();
    }

    /// <summary>Adds every host name in <paramref name="value"/>; IPs, flags like "[OK]" and dashes are skipped.</summary>
    public void AddNameServers(ReadOnlySpan<char> value, bool weak = false, bool guessed = false)
    {
        var target = weak ? _weakNameServers : _nameServers;
        // Zone-file style (old .pt): "example.pt NS ns1.example.pt." names the zone before the server.
        var record = value.IndexOf(" NS ", StringComparison.Ordinal);
        if (record >= 0)
        {
            value = value[(record + 4)..];
        }

        // Host names hold none of these; an address glued to the host ("ns1.example.net/192.0.2.1") falls away.
        foreach (var range in value.SplitAny(" \t,;/:"))
        {
            var token = value[range].TrimEnd('.');
            if (IsHostName(token) && !token.Equals("not.defined", StringComparison.OrdinalIgnoreCase))
            {
                // .uz fills its empty name-server slots with "not.defined".
                AddDistinct(target, token);
                HasDomainData |= !guessed;
            }
        }
    }

    /// <summary>
    /// A word of a sentence that can be the domain it speaks of: a host name with a dot, and not a server's own
    /// name ("whois.nic.xy", "rdap.nic.xy", "www.nic.xy").
    /// </summary>
    public static bool IsNamedDomain(ReadOnlySpan<char> token) =>
        token.IndexOf('.') > 0 && IsHostName(token)
        && !token.StartsWith("whois.", StringComparison.OrdinalIgnoreCase) && !token.StartsWith("rdap.", StringComparison.OrdinalIgnoreCase)
        && !token.StartsWith("www.", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the line starts with a host name, i.e. it is an item of a name-server list.</summary>
    public static bool StartsWithHostName(ReadOnlySpan<char> line) => IsHostName(FirstToken(line).TrimEnd('.'));

    public void AddStatuses(ReadOnlySpan<char> value)
    {
        if (WhoisAnswerMarkers.IsNotFoundStatus(value))
        {
            NotFoundMarker = true;
            return;
        }

        // UANIC's status carries the paid-up date: "OK-UNTIL 20271231000000". A dated key elsewhere wins.
        var until = value.IndexOf("-UNTIL ", StringComparison.OrdinalIgnoreCase);
        if (until > 0 && _expires.Priority == 0 && WhoisDateParser.TryParse(value[(until + 7)..].Trim(), out var paidUntil))
        {
            _expires.Set(paidUntil, 1);
            HasDomainData = true;
        }

        // "ok (paid and in zone)", "clientHold https://icann.org/epp#clientHold", "REGISTERED, DELEGATED".
        foreach (var range in value.Split(','))
        {
            var token = FirstToken(value[range]);
            var paren = token.IndexOf('(');
            if (paren >= 0)
            {
                token = token[..paren];
            }

            token = token.TrimEnd('.');
            if (!token.IsEmpty && !ContainsOrdinal(_statuses, token))
            {
                _statuses.Add(token.ToString());
            }
        }
    }

    public WhoisRecord Build(WhoisStatus status) => new()
    {
        Status = status,
        Domain = _domain.Value,
        Registrar = _registrar.Value,
        Created = _created.Priority > 0 ? _created.Value : null,
        Updated = _updated.Priority > 0 ? _updated.Value : null,
        Expires = _expires.Priority > 0 ? _expires.Value : null,
        NameServers = _nameServers.Count > 0 ? _nameServers.ToArray() : _weakNameServers.ToArray(),
        Statuses = _statuses.ToArray(),
        RegistrantOrganization = _registrantOrganization.Value,
        RegistrantCountry = _registrantCountry.Value,
    };

    private static bool IsPlaceholder(ReadOnlySpan<char> value)
    {
        foreach (var placeholder in _placeholders)
        {
            if (value.Equals(placeholder, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<char> FirstToken(ReadOnlySpan<char> value)
    {
        var text = value.Trim();
        var end = text.IndexOfAny(' ', '\t');
        return end < 0 ? text : text[..end];
    }

    // "MarkMonitor Inc. (http://www.markmonitor.com)" -> "MarkMonitor Inc."; a URL glued to the name
    // ("Megazone(http://HOSTING.KR)") is how .kr spells the registrar and stays.
    private static ReadOnlySpan<char> StripUrlAnnotation(ReadOnlySpan<char> name)
    {
        if (name.Length == 0 || name[^1] != ')')
        {
            return name;
        }

        var open = name.LastIndexOf('(');
        if (open <= 0 || !char.IsWhiteSpace(name[open - 1]))
        {
            return name;
        }

        var inner = name[(open + 1)..^1].Trim();
        var isUrl = inner.StartsWith("http", StringComparison.OrdinalIgnoreCase) || inner.StartsWith("www.", StringComparison.OrdinalIgnoreCase);
        return isUrl ? name[..open].TrimEnd() : name;
    }

    private static bool IsHostName(ReadOnlySpan<char> token)
    {
        if (token.Length < 3 || token[0] == '.' || token[0] == '-' || !token.Contains('.'))
        {
            return false;
        }

        var lastDot = token.LastIndexOf('.');
        var allDigitsInLastLabel = true;
        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            if (!(char.IsLetterOrDigit(c) || c is '-' or '.' or '_'))
            {
                return false;
            }

            if (c == '.' && i > 0 && token[i - 1] == '.')
            {
                return false;
            }

            if (i > lastDot && !char.IsAsciiDigit(c))
            {
                allDigitsInLastLabel = false;
            }
        }

        // An IPv4 address ends in a numeric label; a host name never does, nor in a one-letter one ("n.a").
        return !allDigitsInLastLabel && lastDot < token.Length - 2;
    }

    private static void AddDistinct(List<string> list, ReadOnlySpan<char> host)
    {
        foreach (var existing in list)
        {
            if (host.Equals(existing, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
        }

        list.Add(host.ToString().ToLowerInvariant());
    }

    private static bool ContainsOrdinal(List<string> list, ReadOnlySpan<char> value)
    {
        foreach (var existing in list)
        {
            if (value.Equals(existing, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private struct Slot<T>
    {
        public T? Value;
        public int Priority;

        public void Set(T value, int priority)
        {
            Value = value;
            Priority = priority;
        }
    }
}
