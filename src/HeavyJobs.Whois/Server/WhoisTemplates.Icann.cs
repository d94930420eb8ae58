using System.Globalization;

namespace HeavyJobs.Whois.Server;

/// <summary>ICANN-governed formats: Verisign thin registry, thick registries, registrar answers.</summary>
public static partial class WhoisTemplates
{
    private const string RedactedForPrivacy = "REDACTED FOR PRIVACY";
    private const string RegistrarOfRecordNotice =
        "Please query the RDDS service of the Registrar of Record identified in this output for information on how to contact the Registrant, Admin, or Tech contact of the queried domain name.";

    private const string VerisignNotice = """
        NOTICE: The expiration date shown is the date on which the sponsoring
        registrar's sponsorship of the name is set to expire in the registry. It
        need not match the expiration date agreed between the registrant and the
        registrar; consult the registrar's own WHOIS service for that date.

        TERMS OF USE: This is a synthetic copy of a registry WHOIS service, served
        for tests and demonstrations. Its data describe no real registration. Do
        not query it with high-volume automated processes other than the tests it
        was made for; the operator may throttle or refuse queries at any time.

        The Registry database contains ONLY .COM, .NET, .EDU domains and
        Registrars.
        """;

    private const string ThickRegistryTerms =
        "Terms of Use: The data in this synthetic registry WHOIS service are provided for tests and demonstrations only and describe no real registration. "
        + "You agree to use them only for lawful purposes and not to use high-volume automated processes to query this service, except as needed by the tests it was made for. "
        + "The operator reserves the right to throttle or refuse queries and to modify these terms at any time. By submitting a query, you agree to abide by this policy.";

    private const string RegistrarTerms = """
        The data in this registrar's WHOIS database are synthetic and provided for
        tests and demonstrations. They are believed accurate for that purpose only
        and come with no guarantee. By submitting a WHOIS query you agree not to
        use the data to support unsolicited advertising or to feed high-volume
        automated collection, and to abide by this policy.
        """;

    private static string Verisign(SyntheticDomain domain, SyntheticRegistration r, DateTimeOffset now)
    {
        var w = new AnswerWriter(crLf: true);
        w.Line($"   Domain Name: {domain.Name.ToUpperInvariant()}");
        w.Line($"   Registry Domain ID: {r.RegistryDomainId}");
        w.Line($"   Registrar WHOIS Server: {r.Registrar.WhoisServer}");
        w.Line($"   Registrar URL: {r.Registrar.Url}");
        w.Line($"   Updated Date: {RegistryTime.IsoUtc(r.UpdatedAt)}");
        w.Line($"   Creation Date: {RegistryTime.IsoUtc(r.CreatedAt)}");
        w.Line($"   Registry Expiry Date: {RegistryTime.IsoUtc(r.ExpiresAt)}");
        w.Line($"   Registrar: {r.Registrar.Name}");
        w.Line($"   Registrar IANA ID: {r.Registrar.IanaId}");
        w.Line($"   Registrar Abuse Contact Email: {r.Registrar.AbuseEmail}");
        w.Line($"   Registrar Abuse Contact Phone: {r.Registrar.AbusePhone}");
        foreach (var status in r.Statuses)
            w.Line($"   Domain Status: {status} https://icann.org/epp#{status}");
        foreach (var ns in r.NameServers)
            w.Line($"   Name Server: {ns.ToUpperInvariant()}");
        w.Line($"   DNSSEC: {(r.Dnssec ? "signedDelegation" : "unsigned")}");
        if (r.Dnssec)
            w.Line($"   DNSSEC DS Data: {DsRecord(r)}");
        w.Line("   URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/");
        w.Line($">>> Last update of whois database: {RegistryTime.IsoUtc(now)} <<<");
        w.Line();
        w.Line("For more information on Whois status codes, please visit https://icann.org/epp");
        w.Line();
        return w.Block(VerisignNotice).ToString();
    }

    private static string VerisignNotFound(string name, DateTimeOffset now) =>
        new AnswerWriter(crLf: true)
            .Line($"No match for \"{name.ToUpperInvariant()}\".")
            .Line($">>> Last update of whois database: {RegistryTime.IsoUtc(now)} <<<")
            .Line()
            .Block(VerisignNotice)
            .ToString();

    /// <summary>PIR (.org) and Identity Digital (.info, .io): the thick registry holds redacted contacts.</summary>
    private static string ThickRegistry(SyntheticDomain domain, SyntheticRegistration r, DateTimeOffset now)
    {
        var w = new AnswerWriter(crLf: false);
        w.Line($"Domain Name: {domain.Name}");
        w.Line($"Registry Domain ID: {r.RegistryDomainId}");
        w.Line($"Registrar WHOIS Server: {r.Registrar.WhoisServer}");
        w.Line($"Registrar URL: {r.Registrar.Url}");
        w.Line($"Updated Date: {RegistryTime.IsoUtc(r.UpdatedAt)}");
        w.Line($"Creation Date: {RegistryTime.IsoUtc(r.CreatedAt)}");
        w.Line($"Registry Expiry Date: {RegistryTime.IsoUtc(r.ExpiresAt)}");
        w.Line($"Registrar: {r.Registrar.Name}");
        w.Line($"Registrar IANA ID: {r.Registrar.IanaId}");
        w.Line($"Registrar Abuse Contact Email: {r.Registrar.AbuseEmail}");
        w.Line($"Registrar Abuse Contact Phone: {r.Registrar.AbusePhone}");
        foreach (var status in r.Statuses)
            w.Line($"Domain Status: {status} https://icann.org/epp#{status}");
        foreach (var role in (string[])["Registrant", "Admin", "Tech"])
        {
            w.Line($"Registry {role} ID: {RedactedForPrivacy}");
            w.Line($"{role} Name: {RedactedForPrivacy}");
            w.Line($"{role} Organization: {(role == "Registrant" ? r.RegistrantOrganization : RedactedForPrivacy)}");
            w.Line($"{role} Street: {RedactedForPrivacy}");
            w.Line($"{role} City: {RedactedForPrivacy}");
            w.Line($"{role} State/Province: {(role == "Registrant" ? r.RegistrantState : RedactedForPrivacy)}");
            w.Line($"{role} Postal Code: {RedactedForPrivacy}");
            w.Line($"{role} Country: {(role == "Registrant" ? r.RegistrantCountry : RedactedForPrivacy)}");
            w.Line($"{role} Phone: {RedactedForPrivacy}");
            w.Line($"{role} Phone Ext: {RedactedForPrivacy}");
            w.Line($"{role} Fax: {RedactedForPrivacy}");
            w.Line($"{role} Fax Ext: {RedactedForPrivacy}");
            w.Line($"{role} Email: {RegistrarOfRecordNotice}");
        }

        foreach (var ns in r.NameServers)
            w.Line($"Name Server: {ns}");
        w.Line($"DNSSEC: {(r.Dnssec ? "signedDelegation" : "unsigned")}");
        w.Line("URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/");
        w.Line($">>> Last update of WHOIS database: {RegistryTime.IsoUtc(now)} <<<");
        w.Line();
        w.Line("For more information on Whois status codes, please visit https://icann.org/epp");
        w.Line();
        return w.Line(ThickRegistryTerms).ToString();
    }

    private static string ThickRegistryNotFound(WhoisRegistryStyle style, DateTimeOffset now)
    {
        _ = style;
        return new AnswerWriter(crLf: false)
            .Line("Domain not found.")
            .Line($">>> Last update of WHOIS database: {RegistryTime.IsoUtc(now)} <<<")
            .Line()
            .Line(ThickRegistryTerms)
            .ToString();
    }

    /// <summary>GoDaddy Registry (.biz): the ICANN minimum data set, CRLF.</summary>
    private static string GoDaddyRegistry(SyntheticDomain domain, SyntheticRegistration r, DateTimeOffset now)
    {
        var w = new AnswerWriter(crLf: true);
        w.Line($"Domain Name: {domain.Name.ToUpperInvariant()}");
        w.Line($"Registry Domain ID: {r.RegistryDomainId}");
        w.Line($"Registrar WHOIS Server: {r.Registrar.WhoisServer}");
        w.Line($"Registrar URL: {r.Registrar.Url}");
        w.Line($"Updated Date: {RegistryTime.IsoUtc(r.UpdatedAt)}");
        w.Line($"Creation Date: {RegistryTime.IsoUtc(r.CreatedAt)}");
        w.Line($"Registry Expiry Date: {RegistryTime.IsoUtc(r.ExpiresAt)}");
        w.Line($"Registrar: {r.Registrar.Name}");
        w.Line($"Registrar IANA ID: {r.Registrar.IanaId}");
        w.Line($"Registrar Abuse Contact Email: {r.Registrar.AbuseEmail}");
        w.Line($"Registrar Abuse Contact Phone: {r.Registrar.AbusePhone}");
        foreach (var status in r.Statuses)
            w.Line($"Domain Status: {status} https://icann.org/epp#{status}");
        w.Line($"Registrant Organization: {r.RegistrantOrganization}");
        w.Line($"Registrant State/Province: {r.RegistrantState}");
        w.Line($"Registrant Country: {r.RegistrantCountry}");
        w.Line($"Registrant Email: {RegistrarOfRecordNotice}");
        w.Line($"Admin Email: {RegistrarOfRecordNotice}");
        w.Line($"Tech Email: {RegistrarOfRecordNotice}");
        foreach (var ns in r.NameServers)
            w.Line($"Name Server: {ns.ToUpperInvariant()}");
        w.Line($"DNSSEC: {(r.Dnssec ? "signedDelegation" : "unsigned")}");
        w.Line("URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/");
        w.Line($">>> Last update of WHOIS database: {RegistryTime.IsoUtc(now)} <<<");
        w.Line();
        w.Line("For more information on Whois status codes, please visit https://icann.org/epp");
        w.Line();
        return w.Line(ThickRegistryTerms).ToString();
    }

    private static string GoDaddyRegistryNotFound(DateTimeOffset now) =>
        new AnswerWriter(crLf: true)
            .Line("No Data Found")
            .Line("URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/")
            .Line($">>> Last update of WHOIS database: {RegistryTime.IsoUtc(now)} <<<")
            .Line()
            .Line("For more information on Whois status codes, please visit https://icann.org/epp")
            .Line()
            .Line(ThickRegistryTerms)
            .ToString();

    /// <summary>The answer of the sponsoring registrar's WHOIS server (the referral target of thin registries).</summary>
    /// <param name="domain">A registered synthetic domain.</param>
    /// <param name="now">Time of the query.</param>
    public static string RenderRegistrarAnswer(SyntheticDomain domain, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var r = domain.Registration ?? throw new ArgumentException("Only registered domains have a registrar answer.", nameof(domain));
        var registrar = r.Registrar;
        var flavor = registrar.Flavor;
        var w = new AnswerWriter(flavor.CrLf);
        string Case(string text) => flavor.UpperCase ? text.ToUpperInvariant() : text;
        string Date(DateTimeOffset instant) => flavor.DateFormat switch
        {
            RegistrarDateFormat.UtcTenths => RegistryTime.Format(instant.UtcDateTime, "yyyy-MM-dd'T'HH:mm:ss'.0Z'"),
            RegistrarDateFormat.UtcHundredths => RegistryTime.Format(instant.UtcDateTime, "yyyy-MM-dd'T'HH:mm:ss'.00Z'"),
            RegistrarDateFormat.PacificOffset => RegistryTime.IsoCompactOffset(RegistryTime.Pacific(instant)),
            _ => RegistryTime.IsoUtc(instant),
        };
        string Status(string status) => flavor.StatusFormat switch
        {
            RegistrarStatusFormat.Bare => status,
            RegistrarStatusFormat.ParenthesisedUrl => $"{status} (https://www.icann.org/epp#{status})",
            _ => $"{status} https://icann.org/epp#{status}",
        };

        w.Line($"Domain Name: {Case(domain.Name)}");
        w.Line($"Registry Domain ID: {r.RegistryDomainId}");
        w.Line($"Registrar WHOIS Server: {registrar.WhoisServer}");
        w.Line($"Registrar URL: {registrar.Url}");
        w.Line($"Updated Date: {Date(r.UpdatedAt)}");
        w.Line($"Creation Date: {Date(r.CreatedAt)}");
        w.Line($"Registrar Registration Expiration Date: {Date(r.ExpiresAt)}");
        w.Line($"Registrar: {registrar.Name}");
        w.Line($"Registrar IANA ID: {registrar.IanaId}");
        w.Line($"Registrar Abuse Contact Email: {registrar.AbuseEmail}");
        w.Line($"Registrar Abuse Contact Phone: {registrar.AbusePhone}");
        if (flavor.Contacts != RegistrarContactPolicy.Minimal)
            w.Line("Reseller: ");
        foreach (var status in r.Statuses)
            w.Line($"Domain Status: {Status(status)}");
        foreach (var role in (string[])["Registrant", "Admin", "Tech"])
            RegistrarContact(w, role, r, flavor.Contacts);
        foreach (var ns in r.NameServers)
            w.Line($"Name Server: {Case(ns)}");
        w.Line($"DNSSEC: {(r.Dnssec ? "signedDelegation" : "unsigned")}");
        w.Line("URL of the ICANN WHOIS Data Problem Reporting System: http://wdprs.internic.net/");
        w.Line($">>> Last update of WHOIS database: {Date(now)} <<<");
        w.Line();
        w.Line("For more information on Whois status codes, please visit https://icann.org/epp");
        w.Line();
        return w.Block(RegistrarTerms).ToString();
    }

    /// <summary>A registrar's answer for a domain it does not sponsor.</summary>
    public static string RenderRegistrarNotFound(SyntheticRegistrar registrar, string domainName, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(registrar);
        var name = registrar.Flavor.UpperCase ? domainName.ToUpperInvariant() : domainName.ToLowerInvariant();
        return new AnswerWriter(registrar.Flavor.CrLf)
            .Line($"No match for \"{name}\".")
            .Line($">>> Last update of WHOIS database: {RegistryTime.IsoUtc(now)} <<<")
            .Line()
            .Block(RegistrarTerms)
            .ToString();
    }

    private static void RegistrarContact(AnswerWriter w, string role, SyntheticRegistration r, RegistrarContactPolicy policy)
    {
        var registrant = role == "Registrant";
        var organization = r.RegistrantOrganization;
        switch (policy)
        {
            case RegistrarContactPolicy.Minimal:
                w.Line($"{role} Organization: {organization}");
                w.Line($"{role} State/Province: {r.RegistrantState}");
                w.Line($"{role} Country: {r.RegistrantCountry}");
                break;
            case RegistrarContactPolicy.Redacted:
                w.Line($"Registry {role} ID: {RedactedForPrivacy}");
                w.Line($"{role} Name: {RedactedForPrivacy}");
                w.Line($"{role} Organization: {(registrant ? organization : RedactedForPrivacy)}");
                w.Line($"{role} Street: {RedactedForPrivacy}");
                w.Line($"{role} City: {RedactedForPrivacy}");
                w.Line($"{role} State/Province: {(registrant ? r.RegistrantState : RedactedForPrivacy)}");
                w.Line($"{role} Postal Code: {RedactedForPrivacy}");
                w.Line($"{role} Country: {(registrant ? r.RegistrantCountry : RedactedForPrivacy)}");
                w.Line($"{role} Phone: {RedactedForPrivacy}");
                w.Line($"{role} Phone Ext:");
                w.Line($"{role} Fax: {RedactedForPrivacy}");
                w.Line($"{role} Fax Ext:");
                w.Line($"{role} Email: {ContactEmail(r, role)}");
                break;
            default:
                w.Line($"Registry {role} ID: {r.RegistrantHandle}-{role[0]}");
                w.Line($"{role} Name: {r.RegistrantContactName}");
                w.Line($"{role} Organization: {organization}");
                w.Line($"{role} Street: {(r.DetailSeed % 900) + 100} Main Street");
                w.Line($"{role} City: {r.RegistrantCity}");
                w.Line($"{role} State/Province: {r.RegistrantState}");
                w.Line($"{role} Postal Code: {(r.DetailSeed % 90000) + 10000}");
                w.Line($"{role} Country: {r.RegistrantCountry}");
                w.Line($"{role} Phone: +{CallingCode(r.RegistrantCountry)}.555{(r.DetailSeed % 9000000) + 1000000}");
                w.Line($"{role} Phone Ext: ");
                w.Line($"{role} Fax: ");
                w.Line($"{role} Fax Ext: ");
                w.Line($"{role} Email: hostmaster@{Slug(organization)}.example");
                break;
        }
    }

    private static string ContactEmail(SyntheticRegistration r, string role) =>
        string.Create(CultureInfo.InvariantCulture, $"{(r.DetailSeed ^ StableRandom.Hash(role)) & 0xFFFFFFFFFFFF:x12}@privacy-contact.example");

    private static string DsRecord(SyntheticRegistration r) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)(r.DetailSeed % 65535)} 13 2 {StableRandom.Mix(r.DetailSeed):X16}{StableRandom.Mix(r.DetailSeed + 1):X16}{StableRandom.Mix(r.DetailSeed + 2):X16}{StableRandom.Mix(r.DetailSeed + 3):X16}");

    private static int CallingCode(string country) => country switch
    {
        "US" or "CA" => 1,
        "GB" => 44,
        "DE" => 49,
        "FR" => 33,
        "NL" => 31,
        "JP" => 81,
        "RU" => 7,
        "BR" => 55,
        "AU" => 61,
        "IT" => 39,
        "PL" => 48,
        "SE" => 46,
        "ES" => 34,
        "CH" => 41,
        "IN" => 91,
        "SG" => 65,
        "IE" => 353,
        "BE" => 32,
        _ => 1,
    };

    private static string Slug(string organization)
    {
        var letters = organization.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray();
        return letters.Length == 0 ? "registrant" : new string(letters);
    }
}
