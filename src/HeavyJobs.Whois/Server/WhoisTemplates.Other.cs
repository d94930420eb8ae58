using System.Globalization;

namespace HeavyJobs.Whois.Server;

/// <summary>Registries outside Europe and the ICANN family: JPRS, TCI (RIPN), Registro.br, auDA.</summary>
public static partial class WhoisTemplates
{
    private const string RegistroBrFooter = """
        % Security and mail abuse issues should also be addressed to
        % the synthetic CERT of this test registry.
        %
        % This server accepts only direct match queries. Types
        % of queries are: domain (.br), registrant (tax ID), ticket,
        % provider, CIDR block, IP and ASN.
        """;

    private const string AudaTerms = """
        This synthetic WHOIS service imitates the .au registry for tests and demonstrations. It is available solely for:

        (a) checking whether a synthetic domain name licence exists;

        (b) identifying the synthetic holder of such a licence; and/or

        (c) exercising WHOIS clients and parsers.

        It must not be used for any other purpose, including aggregating or compiling its data, sending unsolicited communications, or high-volume automated queries beyond the tests it was made for.
        """;

    private static readonly string[] _jprsHeader =
    [
        "JPRS-style database of synthetic records for tests and demonstrations.",
        "It describes no real registration. For further information, see the",
        "project documentation. To suppress Japanese output, add '/e' at the",
        "end of the query, e.g. 'whois -h whois.jprs.jp xxx/e'.",
    ];

    private static AnswerWriter JprsBanner()
    {
        var w = new AnswerWriter(crLf: false);
        foreach (var line in _jprsHeader)
            w.Line($"[ {line,-76}]");
        return w;
    }

    private static string Jprs(SyntheticDomain domain, SyntheticRegistration r)
    {
        var w = JprsBanner().Line();
        w.Line("Domain Information:");
        w.Line(JprsField("Domain Name", domain.Name.ToUpperInvariant()));
        w.Line();
        w.Line(JprsField("Registrant", r.RegistrantOrganization));
        w.Line();
        foreach (var ns in r.NameServers)
            w.Line(JprsField("Name Server", ns));
        w.Line(JprsField("Signing Key", r.Dnssec ? $"{(int)(r.DetailSeed % 65535)} 13 2 {StableRandom.Mix(r.DetailSeed):X16}" : string.Empty));
        w.Line();
        w.Line(JprsField("Created on", RegistryTime.Format(RegistryTime.Japan(r.CreatedAt), "yyyy/MM/dd")));
        w.Line(JprsField("Expires on", JprsExpiry(r.ExpiresAt)));
        w.Line(JprsField("Status", r.Statuses.Contains("clientHold") ? "Suspended" : "Active"));
        w.Line(JprsField("Last Updated", RegistryTime.Format(RegistryTime.Japan(r.UpdatedAt), "yyyy/MM/dd HH:mm:ss") + " (JST)"));
        w.Line();
        w.Line("Contact Information:");
        w.Line(JprsField("Name", r.RegistrantOrganization));
        w.Line(JprsField("Email", $"hostmaster@{domain.Name}"));
        w.Line(JprsField("Web Page", string.Empty));
        w.Line(JprsField("Postal code", string.Create(CultureInfo.InvariantCulture, $"{r.DetailSeed % 900 + 100}-{r.DetailSeed % 9000 + 1000}")));
        w.Line(JprsField("Postal Address", r.RegistrantCity));
        w.Line($"{string.Empty,-32}{(r.DetailSeed % 9) + 1}-{(r.DetailSeed % 20) + 1}-{(r.DetailSeed % 30) + 1} Chuo");
        w.Line(JprsField("Phone", string.Create(CultureInfo.InvariantCulture, $"03-{r.DetailSeed % 9000 + 1000}-{(r.DetailSeed >> 20) % 9000 + 1000}")));

        // JPRS ends its answer without a final line break.
        return w.Raw(JprsField("Fax", string.Empty).TrimEnd()).ToString();
    }

    private static string JprsField(string label, string value) =>
        value.Length == 0 ? $"[{label}]" : $"{"[" + label + "]",-32}{value}";

    /// <summary>JPRS registrations run to the end of a month.</summary>
    private static string JprsExpiry(DateTimeOffset expires)
    {
        var local = RegistryTime.Japan(expires);
        return RegistryTime.Format(local, "yyyy/MM/") + DateTime.DaysInMonth(local.Year, local.Month).ToString("D2", CultureInfo.InvariantCulture);
    }

    private static string JprsNotFound() =>
        JprsBanner()
            .Line()
            .Line("No match!!")
            .Line()
            .Line("With this synthetic JPRS-style WHOIS you can query the synthetic")
            .Line("domain names of the test population.")
            .Line()
            .Line("For IP address information, please refer to the following WHOIS servers:")
            .Line("    - JPNIC WHOIS (whois.nic.ad.jp)")
            .Line("    - APNIC WHOIS (whois.apnic.net)")
            .ToString();

    private static AnswerWriter TciBanner() =>
        new AnswerWriter(crLf: false)
            .Line("% By submitting a query to this synthetic Whois Service")
            .Line("% you agree to use it for tests and demonstrations only.")
            .Line("% Its records imitate the .ru registry and describe no registration.")
            .Line();

    private static string Tci(SyntheticDomain domain, SyntheticRegistration r, DateTimeOffset now)
    {
        const int Width = 15;
        var w = TciBanner();
        w.Field("domain", domain.Name.ToUpperInvariant(), Width);
        foreach (var ns in r.NameServers)
            w.Field("nserver", ns + ".", Width);
        w.Field("state", (r.DetailSeed & 3) == 0 ? "REGISTERED, DELEGATED, UNVERIFIED" : "REGISTERED, DELEGATED, VERIFIED", Width);
        if ((r.DetailSeed & 4) == 0)
            w.Field("org", r.RegistrantOrganization, Width);
        else
            w.Field("person", "Private Person", Width);
        w.Field("registrar", r.Registrar.Handle + "-RU", Width);
        w.Field("admin-contact", r.Registrar.Url + "/whois", Width);
        w.Field("created", RegistryTime.IsoUtc(r.CreatedAt), Width);
        w.Field("paid-till", RegistryTime.IsoUtc(r.ExpiresAt), Width);
        w.Field("free-date", RegistryTime.Format(r.ExpiresAt.UtcDateTime.AddDays(32), "yyyy-MM-dd"), Width);
        w.Field("source", "TCI", Width);
        w.Line();
        w.Line($"Last updated on {RegistryTime.IsoUtc(now)}");
        return w.Line().ToString();
    }

    private static AnswerWriter RegistroBrBanner(DateTimeOffset now, string clientAddress) =>
        new AnswerWriter(crLf: false)
            .Line()
            .Line("% Copyright (c) Nic.br")
            .Line("%  Synthetic records in the layout of the .br registry, served")
            .Line("%  for tests and demonstrations. They describe no registration")
            .Line("%  and must not be used for advertising or any similar purpose.")
            .Line($"%  {RegistryTime.IsoOffset(RegistryTime.Brazil(now))} - IP: {clientAddress}")
            .Line();

    private static string RegistroBr(SyntheticDomain domain, SyntheticRegistration r, DateTimeOffset now, string clientAddress)
    {
        const int Width = 13;
        var contact = string.Create(CultureInfo.InvariantCulture, $"{r.RegistrantHandle[..3]}{r.DetailSeed % 900 + 10}");
        var checkedOn = RegistryTime.Format(RegistryTime.Brazil(r.UpdatedAt), "yyyyMMdd");
        var w = RegistroBrBanner(now, clientAddress);
        w.Field("domain", domain.Name, Width);
        w.Field("owner", r.RegistrantOrganization, Width);
        w.Field("owner-id", string.Create(CultureInfo.InvariantCulture, $"{r.DetailSeed % 90 + 10}.{r.DetailSeed % 900 + 100}.{(r.DetailSeed >> 10) % 900 + 100}/0001-{r.DetailSeed % 90 + 10}"), Width);
        w.Field("responsible", r.RegistrantContactName, Width);
        w.Field("country", r.RegistrantCountry, Width);
        w.Field("owner-c", contact, Width);
        w.Field("tech-c", contact, Width);
        foreach (var ns in r.NameServers)
        {
            w.Field("nserver", ns, Width);
            w.Field("nsstat", checkedOn + " AA", Width);
            w.Field("nslastaa", checkedOn, Width);
        }

        if (r.Dnssec)
            w.Field("dsrecord", $"{(int)(r.DetailSeed % 65535)} ECDSA-SHA-256 {StableRandom.Mix(r.DetailSeed):X16}", Width);
        w.Field("created", RegistryTime.Format(RegistryTime.Brazil(r.CreatedAt), "yyyyMMdd") + string.Create(CultureInfo.InvariantCulture, $" #{r.DetailSeed % 90000 + 10000}"), Width);
        w.Field("changed", RegistryTime.Format(RegistryTime.Brazil(r.UpdatedAt), "yyyyMMdd"), Width);
        w.Field("expires", RegistryTime.Format(RegistryTime.Brazil(r.ExpiresAt), "yyyyMMdd"), Width);
        w.Field("status", r.Statuses.Contains("clientHold") ? "on-hold" : "published", Width);
        w.Line();
        w.Field("nic-hdl-br", contact, Width);
        w.Field("person", r.RegistrantContactName, Width);
        w.Field("created", RegistryTime.Format(RegistryTime.Brazil(r.CreatedAt), "yyyyMMdd"), Width);
        w.Field("changed", RegistryTime.Format(RegistryTime.Brazil(r.UpdatedAt), "yyyyMMdd"), Width);
        w.Line();
        return w.Block(RegistroBrFooter).ToString();
    }

    private static string Auda(SyntheticDomain domain, SyntheticRegistration r, DateTimeOffset now)
    {
        var w = new AnswerWriter(crLf: true);
        w.Line($"Domain Name: {domain.Name.ToUpperInvariant()}");
        w.Line($"Registry Domain ID: {r.RegistryDomainId}");

        // auDA names itself here: a client following referrals must notice it is already there.
        w.Line($"Registrar WHOIS Server: {domain.Tld.RegistryServer}");
        w.Line($"Registrar URL: {r.Registrar.Url}");
        w.Line($"Last Modified: {RegistryTime.IsoUtc(r.UpdatedAt)}");
        w.Line($"Registrar Name: {r.Registrar.Name}");
        w.Line($"Registrar Abuse Contact Email: {r.Registrar.AbuseEmail}");
        w.Line($"Registrar Abuse Contact Phone: {r.Registrar.AbusePhone}");
        w.Line("Reseller Name:");
        foreach (var status in r.Statuses)
            w.Line($"Status: {status} https://identitydigital.au/get-au/whois-status-codes#{status}");
        w.Line($"Registrant Contact ID: {r.RegistrantHandle}-AU");
        w.Line($"Registrant Contact Name: {r.RegistrantContactName}");
        w.Line(string.Create(CultureInfo.InvariantCulture, $"Tech Contact ID: TC{r.DetailSeed % 900000 + 100000}-AU"));
        w.Line("Tech Contact Name: Domain Administrator");
        foreach (var ns in r.NameServers)
            w.Line($"Name Server: {ns.ToUpperInvariant()}");
        w.Line($"DNSSEC: {(r.Dnssec ? "signedDelegation" : "unsigned")}");
        w.Line($"Registrant: {r.RegistrantOrganization}");
        w.Line(string.Create(CultureInfo.InvariantCulture, $"Registrant ID: ABN {r.DetailSeed % 90 + 10} {(r.DetailSeed >> 8) % 900 + 100} {(r.DetailSeed >> 16) % 900 + 100} {(r.DetailSeed >> 24) % 900 + 100}"));
        w.Line("Eligibility Type: Company");
        w.Line();
        w.Line($">>> Last update of WHOIS database: {RegistryTime.IsoUtc(now)} <<<");
        w.Line();
        w.Line();
        w.Line();
        return w.Block(AudaTerms).ToString();
    }

    private static string AudaNotFound(DateTimeOffset now) =>
        new AnswerWriter(crLf: true)
            .Line("NOT FOUND")
            .Line($">>> Last update of WHOIS database: {RegistryTime.IsoUtc(now)} <<<")
            .Line()
            .Block(AudaTerms)
            .ToString();
}
