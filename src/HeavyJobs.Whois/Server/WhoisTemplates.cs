namespace HeavyJobs.Whois.Server;

/// <summary>
/// Renders synthetic domains the way the real registries and registrars answer: same keys, layout, date formats,
/// line endings and "not found" wording as the captured answers of each registry. Legal notices are written
/// afresh (shorter, same shape), so that a parser meets realistic noise without copies of third-party text.
/// </summary>
public static partial class WhoisTemplates
{
    /// <summary>The answer of the registry server of <paramref name="domain"/>'s suffix.</summary>
    /// <param name="domain">A synthetic domain; unregistered ones get the registry's "not found" answer.</param>
    /// <param name="now">Time of the query, printed where registries print it.</param>
    /// <param name="clientAddress">Address of the asking client, echoed by registries that echo it.</param>
    public static string RenderRegistryAnswer(SyntheticDomain domain, DateTimeOffset now, string clientAddress = "127.0.0.1")
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (domain.Registration is not { } registration)
            return RenderNotFound(domain.Tld.Style, domain.Name, now, clientAddress);

        return domain.Tld.Style switch
        {
            WhoisRegistryStyle.Verisign => Verisign(domain, registration, now),
            WhoisRegistryStyle.Pir or WhoisRegistryStyle.IdentityDigital => ThickRegistry(domain, registration, now),
            WhoisRegistryStyle.GoDaddyRegistry => GoDaddyRegistry(domain, registration, now),
            WhoisRegistryStyle.Denic => Denic(domain, registration),
            WhoisRegistryStyle.Nominet => Nominet(domain, registration, now),
            WhoisRegistryStyle.Afnic => Afnic(domain, registration, clientAddress),
            WhoisRegistryStyle.Sidn => Sidn(domain, registration),
            WhoisRegistryStyle.Jprs => Jprs(domain, registration),
            WhoisRegistryStyle.Tci => Tci(domain, registration, now),
            WhoisRegistryStyle.RegistroBr => RegistroBr(domain, registration, now, clientAddress),
            WhoisRegistryStyle.Auda => Auda(domain, registration, now),
            WhoisRegistryStyle.NicIt => NicIt(domain, registration),
            WhoisRegistryStyle.Nask => Nask(domain, registration),
            WhoisRegistryStyle.Iis => Iis(domain, registration),
            WhoisRegistryStyle.Eurid => Eurid(domain, registration),
            _ => throw new ArgumentOutOfRangeException(nameof(domain), domain.Tld.Style, "Unknown registry style."),
        };
    }

    /// <summary>A registry's answer for a domain it does not hold, in that registry's words.</summary>
    public static string RenderNotFound(WhoisRegistryStyle style, string domainName, DateTimeOffset now, string clientAddress = "127.0.0.1")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domainName);
        var name = domainName.Trim().ToLowerInvariant();
        return style switch
        {
            WhoisRegistryStyle.Verisign => VerisignNotFound(name, now),
            WhoisRegistryStyle.Pir or WhoisRegistryStyle.IdentityDigital => ThickRegistryNotFound(style, now),
            WhoisRegistryStyle.GoDaddyRegistry => GoDaddyRegistryNotFound(now),
            WhoisRegistryStyle.Denic => new AnswerWriter(false).Line($"Domain: {name}").Line("Status: free").ToString(),
            WhoisRegistryStyle.Nominet => NominetNotFound(name, now),
            WhoisRegistryStyle.Afnic => AfnicBanner(name, clientAddress).Line().Line("%% No entries found in the AFNIC Database.").ToString(),
            WhoisRegistryStyle.Sidn => new AnswerWriter(true).Line($"{name} is free").ToString(),
            WhoisRegistryStyle.Jprs => JprsNotFound(),
            WhoisRegistryStyle.Tci => TciBanner().Line("No entries found for the selected source(s).").Line().Line($"Last updated on {RegistryTime.IsoUtc(now)}").ToString(),
            WhoisRegistryStyle.RegistroBr => RegistroBrBanner(now, clientAddress).Line($"% No match for {name}").Line().Block(RegistroBrFooter).ToString(),
            WhoisRegistryStyle.Auda => AudaNotFound(now),
            WhoisRegistryStyle.NicIt => new AnswerWriter(false).Field("Domain", name, 20).Field("Status", "AVAILABLE", 20).ToString(),
            WhoisRegistryStyle.Nask => NaskNotFound(name),
            WhoisRegistryStyle.Iis => IisBanner().Line($"domain \"{name}\" not found.").ToString(),
            WhoisRegistryStyle.Eurid => EuridBanner(name).Line($"Domain: {name}").Line("Script: LATIN").Line("Status: AVAILABLE").ToString(),
            _ => throw new ArgumentOutOfRangeException(nameof(style), style, "Unknown registry style."),
        };
    }

    /// <summary>The refusal a registry sends when a client exceeds its query rate, in that registry's words.</summary>
    public static string RenderRateLimited(WhoisRegistryStyle style, DateTimeOffset now, string clientAddress = "127.0.0.1") => style switch
    {
        WhoisRegistryStyle.Verisign => new AnswerWriter(true).Line("Query limit exceeded. Please retry after a short pause.").ToString(),
        WhoisRegistryStyle.Pir => new AnswerWriter(false).Line("WHOIS LIMIT EXCEEDED - SEE WWW.PIR.ORG/WHOIS FOR DETAILS").ToString(),
        WhoisRegistryStyle.IdentityDigital or WhoisRegistryStyle.GoDaddyRegistry =>
            new AnswerWriter(false).Line("You have exceeded the maximum allowable number of WHOIS queries. Please try again later.").ToString(),
        WhoisRegistryStyle.Denic => new AnswerWriter(false).Line("% Error: 55000000002 Connection refused; access control limit reached.").ToString(),
        WhoisRegistryStyle.Nominet => new AnswerWriter(true).Line().Line($"    The WHOIS query quota for {clientAddress} has been exceeded and will be replenished in {60 - now.Second} seconds.").ToString(),
        WhoisRegistryStyle.Afnic => AfnicBanner("-", clientAddress).Line().Line("%% Too many requests from your address, try again later.").ToString(),
        WhoisRegistryStyle.Sidn => new AnswerWriter(true).Line("Query limit exceeded, please wait before sending more queries.").ToString(),
        WhoisRegistryStyle.Jprs => new AnswerWriter(false).Line("Queried interval is too short.").ToString(),
        WhoisRegistryStyle.Tci => TciBanner().Line("You have exceeded the allowed query rate. Try again later.").ToString(),
        WhoisRegistryStyle.RegistroBr => RegistroBrBanner(now, clientAddress).Line("% Query rate limit exceeded. Wait before trying again.").ToString(),
        WhoisRegistryStyle.Auda => new AnswerWriter(true).Line("Maximum daily connection limit reached. Lookup refused.").ToString(),
        WhoisRegistryStyle.NicIt => new AnswerWriter(false).Line("Request limit exceeded, please retry later.").ToString(),
        WhoisRegistryStyle.Nask => new AnswerWriter(true).Line().Line("Query limit exceeded. Access temporarily blocked.").ToString(),
        WhoisRegistryStyle.Iis => IisBanner().Line("Too many requests. Please slow down.").ToString(),
        WhoisRegistryStyle.Eurid => new AnswerWriter(false).Line("% -8: access control limit exceeded").ToString(),
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, "Unknown registry style."),
    };

    /// <summary>The refusal a registrar's WHOIS server sends over its query rate.</summary>
    public static string RenderRegistrarRateLimited(SyntheticRegistrar registrar)
    {
        ArgumentNullException.ThrowIfNull(registrar);
        return new AnswerWriter(registrar.Flavor.CrLf)
            .Line("Your query quota exceeded; too many requests from your address.")
            .Line($"Please wait before querying {registrar.WhoisServer} again.")
            .ToString();
    }
}
