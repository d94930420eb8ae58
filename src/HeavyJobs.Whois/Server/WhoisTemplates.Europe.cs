using System.Globalization;

namespace HeavyJobs.Whois.Server;

/// <summary>European ccTLD registries: DENIC, Nominet, AFNIC, SIDN, Registro .it, NASK, Internetstiftelsen, EURid.</summary>
public static partial class WhoisTemplates
{
    private const string NominetFooter = """
        -- 
        This WHOIS information is synthetic: it imitates the answers of the .uk
        registry for tests and demonstrations and describes no real registration.

            Synthetic data, free to reuse in tests.

        Do not use this service for advertising, bulk collection or any purpose
        other than the tests it was made for. Queries beyond the rate or volume
        limits may be refused. Data may lag behind the register.
        """;

    private const string SidnFooter = """
        Record maintained by: NL Domain Registry

        Copyright notice
        This record is synthetic and made for tests and demonstrations. It
        imitates the layout of the .nl registry and describes no registration.
        Do not use it for advertising, targeting of commercial offers or similar
        activities.
        """;

    private static readonly string[] _nicItBanner =
    [
        "Synthetic answer in the layout of the .it registry, made for",
        "tests and demonstrations. It describes no real registration.",
        string.Empty,
        "The result below could be a subgroup of the data in the database.",
    ];

    private static string Denic(SyntheticDomain domain, SyntheticRegistration r)
    {
        var w = new AnswerWriter(crLf: false);
        w.Line($"Domain: {domain.Name}");
        foreach (var ns in r.NameServers)
            w.Line($"Nserver: {ns}");
        if (r.Dnssec)
            w.Line($"Dnskey: 257 3 13 {Base64Key(r)}");
        w.Line("Status: connect");
        w.Line($"Changed: {RegistryTime.IsoOffset(RegistryTime.CentralEurope(r.UpdatedAt))}");
        return w.ToString();
    }

    private static string Nominet(SyntheticDomain domain, SyntheticRegistration r, DateTimeOffset now)
    {
        var brand = r.Registrar.Name.Split(' ')[0].TrimEnd(',');
        var w = new AnswerWriter(crLf: true);
        w.Line();
        w.Line("    Domain name:").Line($"        {domain.Name}").Line();
        w.Line("    Data validation:");
        w.Line((r.DetailSeed & 1) == 0
            ? $"        Nominet was able to match the registrant's name and address against a 3rd party data source on {NominetDate(r.CreatedAt.AddDays(1))}"
            : $"        Nominet was not able to match the registrant's name and/or address against a 3rd party source on {NominetDate(r.CreatedAt.AddDays(1))}");
        w.Line();
        w.Line("    Registrar:");
        w.Line($"        {r.Registrar.Name} t/a {brand} [Tag = {r.Registrar.Handle}]");
        w.Line($"        URL: {r.Registrar.Url}");
        w.Line();
        w.Line("    Relevant dates:");
        w.Line($"        Registered on: {NominetDate(r.CreatedAt)}");
        w.Line($"        Expiry date:  {NominetDate(r.ExpiresAt)}");
        w.Line($"        Last updated:  {NominetDate(r.UpdatedAt)}");
        w.Line();
        w.Line("    Registration status:");
        w.Line(r.Statuses.Contains("clientHold") ? "        Suspended." : "        Registered until expiry date.");
        w.Line();
        w.Line("    Name servers:");
        foreach (var ns in r.NameServers)
            w.Line($"        {ns}");
        w.Line();
        w.Line($"    WHOIS lookup made at {RegistryTime.Format(now.UtcDateTime, "HH:mm:ss dd-MMM-yyyy")}");
        w.Line();
        return w.Block(NominetFooter).ToString();
    }

    private static string NominetNotFound(string name, DateTimeOffset now) =>
        new AnswerWriter(crLf: true)
            .Line()
            .Line($"    No match for \"{name}\".")
            .Line()
            .Line("    This domain name has not been registered.")
            .Line()
            .Line($"    WHOIS lookup made at {RegistryTime.Format(now.UtcDateTime, "HH:mm:ss dd-MMM-yyyy")}")
            .Line()
            .Block(NominetFooter)
            .ToString();

    private static string NominetDate(DateTimeOffset instant) => RegistryTime.Format(instant.UtcDateTime, "dd-MMM-yyyy");

    private static AnswerWriter AfnicBanner(string query, string clientAddress) =>
        new AnswerWriter(crLf: false)
            .Line("%%")
            .Line("%% This is the AFNIC Whois server.")
            .Line("%%")
            .Line("%% complete date format : YYYY-MM-DDThh:mm:ssZ")
            .Line("%% short date format    : DD/MM")
            .Line("%% version              : FRNIC-2.5")
            .Line("%%")
            .Line("%% Synthetic records for tests and demonstrations only.")
            .Line("%% They describe no real registration.")
            .Line("%%")
            .Line("%% Use '-h' option to obtain more information about this service.")
            .Line("%%")
            .Line($"%% [{clientAddress} REQUEST] >> {query}")
            .Line("%%")
            .Line("%% RL Net [##########] - RL IP [#########.]")
            .Line("%%");

    private static string Afnic(SyntheticDomain domain, SyntheticRegistration r, string clientAddress)
    {
        const int Width = 13;
        var holder = r.RegistrantHandle + "-FRNIC";
        var admin = string.Create(CultureInfo.InvariantCulture, $"AD{r.DetailSeed % 9000 + 1000}-FRNIC");
        var tech = string.Create(CultureInfo.InvariantCulture, $"TC{(r.DetailSeed >> 16) % 9000 + 1000}-FRNIC");
        var nsl = string.Create(CultureInfo.InvariantCulture, $"NSL{(r.DetailSeed >> 8) % 90000 + 10000}-FRNIC");
        var hold = r.Statuses.Contains("clientHold");
        var w = AfnicBanner(domain.Name, clientAddress).Line();
        w.Field("domain", domain.Name, Width);
        w.Field("status", hold ? "BLOCKED" : "ACTIVE", Width);
        w.Field("hold", hold ? "YES" : "NO", Width);
        w.Field("holder-c", holder, Width);
        w.Field("admin-c", admin, Width);
        w.Field("tech-c", tech, Width);
        w.Field("zone-c", "NFC1-FRNIC", Width);
        w.Field("nsl-id", nsl, Width);
        w.Field("registrar", r.Registrar.Name, Width);
        w.Field("Expiry Date", RegistryTime.IsoUtc(r.ExpiresAt), Width);
        w.Field("created", RegistryTime.IsoUtc(r.CreatedAt), Width);
        w.Field("last-update", RegistryTime.IsoUtc(r.UpdatedAt), Width);
        w.Field("source", "FRNIC", Width).Line();

        w.Field("ns-list", nsl, Width);
        foreach (var ns in r.NameServers)
            w.Field("nserver", ns, Width);
        w.Field("source", "FRNIC", Width).Line();

        w.Field("registrar", r.Registrar.Name, Width);
        w.Field("type", "Isp Option 1", Width);
        w.Field("address", r.Registrar.Street, Width);
        w.Field("address", r.Registrar.City, Width);
        w.Field("country", r.Registrar.Country, Width);
        w.Field("phone", r.Registrar.AbusePhone.Replace('.', ' '), Width);
        w.Field("e-mail", r.Registrar.AbuseEmail, Width);
        w.Field("website", r.Registrar.Url, Width);
        w.Field("anonymous", "NO", Width);
        w.Field("registered", "2004-01-10T12:00:00Z", Width);
        w.Field("source", "FRNIC", Width).Line();

        foreach (var (handle, contact) in (ValueTuple<string, string>[])[(holder, r.RegistrantOrganization), (admin, r.RegistrantOrganization), (tech, r.Registrar.Name)])
        {
            w.Field("nic-hdl", handle, Width);
            w.Field("type", "ORGANIZATION", Width);
            w.Field("contact", contact, Width);
            w.Field("address", handle == tech ? r.Registrar.Street : "REDACTED", Width);
            w.Field("address", handle == tech ? r.Registrar.City : r.RegistrantCity, Width);
            w.Field("country", handle == tech ? r.Registrar.Country : r.RegistrantCountry, Width);
            w.Field("registrar", r.Registrar.Name, Width);
            w.Field("changed", RegistryTime.IsoUtc(r.UpdatedAt) + " nic@nic.fr", Width);
            w.Field("anonymous", "NO", Width);
            w.Field("obsoleted", "NO", Width);
            w.Field("source", "FRNIC", Width).Line();
        }

        return w.ToString();
    }

    private static string Sidn(SyntheticDomain domain, SyntheticRegistration r)
    {
        var w = new AnswerWriter(crLf: true);
        w.Line($"Domain name: {domain.Name}");
        w.Line(r.Statuses.Contains("clientHold") ? "Status:      inactive" : "Status:      active");
        w.Line();
        w.Line("Registrar:");
        w.Line($"   {r.Registrar.Name}");
        w.Line($"   {r.Registrar.Street}");
        w.Line($"   {r.Registrar.City}");
        w.Line($"   {CountryName(r.Registrar.Country)}");
        w.Line();
        w.Line("Abuse Contact:");
        w.Line();
        w.Line($"DNSSEC:      {(r.Dnssec ? "yes" : "no")}");
        w.Line();
        w.Line("Domain nameservers:");
        foreach (var ns in r.NameServers)
            w.Line($"   {ns}");
        w.Line();
        return w.Block(SidnFooter).ToString();
    }

    private static string NicIt(SyntheticDomain domain, SyntheticRegistration r)
    {
        const int Width = 20;
        var status = r.Statuses.Contains("ok") ? "ok" : string.Join(" / ", r.Statuses.Where(s => s.StartsWith("client", StringComparison.Ordinal)));
        var w = new AnswerWriter(crLf: false);
        w.Line();
        w.Line(new string('*', 69));
        foreach (var line in _nicItBanner)
            w.Line($"* {line,-65} *");
        w.Line(new string('*', 69));
        w.Line();
        w.Field("Domain", domain.Name, Width);
        w.Field("Status", status, Width);
        w.Field("Signed", r.Dnssec ? "yes" : "no", Width);
        w.Field("Created", NicItTime(r.CreatedAt), Width);
        w.Field("Last Update", NicItTime(r.UpdatedAt), Width);
        w.Field("Expire Date", RegistryTime.Format(RegistryTime.CentralEurope(r.ExpiresAt), "yyyy-MM-dd"), Width);
        w.Line();
        w.Line("Registrant");
        w.Field("  Organization", r.RegistrantOrganization, Width);
        w.Field("  Address", "REDACTED", Width);
        w.Line($"                    {r.RegistrantCity}");
        w.Line($"                    {r.RegistrantCountry}");
        w.Field("  Created", NicItTime(r.CreatedAt), Width);
        w.Field("  Last Update", NicItTime(r.UpdatedAt), Width);
        w.Line();
        w.Line("Admin Contact");
        w.Field("  Name", r.RegistrantContactName, Width);
        w.Field("  Organization", r.RegistrantOrganization, Width);
        w.Field("  Created", NicItTime(r.CreatedAt), Width);
        w.Field("  Last Update", NicItTime(r.UpdatedAt), Width);
        w.Line();
        w.Line("Technical Contacts");
        w.Field("  Name", "Hostmaster", Width);
        w.Field("  Organization", r.Registrar.Name, Width);
        w.Field("  Address", r.Registrar.Street, Width);
        w.Line($"                    {r.Registrar.City}");
        w.Line($"                    {r.Registrar.Country}");
        w.Line();
        w.Line("Registrar");
        w.Field("  Organization", r.Registrar.Name, Width);
        w.Field("  Name", r.Registrar.Handle + "-REG", Width);
        w.Field("  Web", r.Registrar.Url, Width);
        w.Field("  DNSSEC", r.Dnssec ? "yes" : "no", Width);
        w.Line();
        w.Line();
        w.Line("Nameservers");
        foreach (var ns in r.NameServers)
            w.Line($"  {ns}");
        w.Line();
        return w.ToString();
    }

    private static string NicItTime(DateTimeOffset instant) =>
        RegistryTime.Format(RegistryTime.CentralEurope(instant), "yyyy-MM-dd HH:mm:ss");

    private static string Nask(SyntheticDomain domain, SyntheticRegistration r)
    {
        const int Width = 23;
        var w = new AnswerWriter(crLf: false);
        w.Line();
        w.Field("DOMAIN NAME", domain.Name, Width);
        w.Field("registrant type", "organization", Width);
        for (var i = 0; i < r.NameServers.Count; i++)
        {
            if (i == 0)
                w.Field("nameservers", r.NameServers[i] + ". ", Width);
            else
                w.Line($"{new string(' ', Width)}{r.NameServers[i]}. ");
        }

        w.Field("created", NaskTime(r.CreatedAt), Width);
        w.Field("last modified", NaskTime(r.UpdatedAt), Width);
        w.Field("renewal date", NaskTime(r.ExpiresAt), Width);
        w.Line();
        w.Line("no option");
        w.Line();
        w.Field("dnssec", r.Dnssec ? "Signed" : "Unsigned", Width);
        w.Line();
        w.Line();
        w.Line("REGISTRAR:");
        w.Line(r.Registrar.Name);
        w.Line(r.Registrar.Street);
        w.Line(r.Registrar.City);
        w.Line(CountryName(r.Registrar.Country));
        w.Line(r.Registrar.AbusePhone);
        w.Line(r.Registrar.AbuseEmail);
        w.Line();
        w.Line("WHOIS database responses: https://dns.pl/en/whois");
        w.Line();
        return w.Line("WHOIS displays data with a delay not exceeding 15 minutes in relation to the .pl Registry system").ToString();
    }

    private static string NaskNotFound(string name)
    {
        var w = new AnswerWriter(crLf: true).Line().Line();
        w.Line($"No information available about domain name {name} in the Registry NASK database.");
        w.Line().Line().Line();
        w.Line("WHOIS database responses: https://dns.pl/en/whois");
        w.Line();
        return w.Line("WHOIS displays data with a delay not exceeding 15 minutes in relation to the .pl Registry system").ToString();
    }

    private static string NaskTime(DateTimeOffset instant) =>
        RegistryTime.Format(RegistryTime.CentralEurope(instant), "yyyy.MM.dd HH:mm:ss");

    private static AnswerWriter IisBanner() =>
        new AnswerWriter(crLf: false)
            .Line("# Synthetic data in the layout of the .se registry.")
            .Line("# Made for tests and demonstrations; it describes no real")
            .Line("# registration and may be reused freely in tests.")
            .Line("# Do not use this service as a backend for a search engine.")
            .Line("# Result of search for registered domain names under")
            .Line("# the .se top level domain.")
            .Line("# This whois printout is printed with UTF-8 encoding.")
            .Line("#");

    private static string Iis(SyntheticDomain domain, SyntheticRegistration r)
    {
        const int Width = 18;
        var w = IisBanner();
        w.Field("state", r.Statuses.Contains("clientHold") ? "inactive" : "active", Width);
        w.Field("domain", domain.Name, Width);
        w.Field("holder", r.RegistrantHandle.ToLowerInvariant() + "-" + (r.DetailSeed % 90000 + 10000).ToString(CultureInfo.InvariantCulture), Width);
        w.Field("created", RegistryTime.Format(r.CreatedAt.UtcDateTime, "yyyy-MM-dd"), Width);
        w.Field("modified", RegistryTime.Format(r.UpdatedAt.UtcDateTime, "yyyy-MM-dd"), Width);
        w.Field("expires", RegistryTime.Format(r.ExpiresAt.UtcDateTime, "yyyy-MM-dd"), Width);
        foreach (var ns in r.NameServers)
            w.Field("nserver", ns, Width);
        w.Field("dnssec", r.Dnssec ? "signed delegation" : "unsigned delegation", Width);
        w.Field("registry-lock", r.Statuses.Any(s => s.StartsWith("server", StringComparison.Ordinal)) ? "locked" : "unlocked", Width);
        foreach (var status in r.Statuses)
            w.Field("status", status, Width);
        w.Field("registrar", r.Registrar.Name, Width);
        return w.ToString();
    }

    private static AnswerWriter EuridBanner(string name) =>
        new AnswerWriter(crLf: false)
            .Line("% Synthetic WHOIS answer in the layout of the .eu registry, made for")
            .Line("% tests and demonstrations. It describes no real registration.")
            .Line("%")
            .Line("% The textual WHOIS service on port 43 never discloses any")
            .Line("% information concerning the registrant.")
            .Line("%")
            .Line($"% WHOIS {name}");

    private static string Eurid(SyntheticDomain domain, SyntheticRegistration r)
    {
        var w = EuridBanner(domain.Name);
        w.Line($"Domain: {domain.Name}");
        w.Line("Script: LATIN");
        w.Line();
        w.Line("Registrant:");
        w.Line("        NOT DISCLOSED!");
        w.Line("        Visit www.eurid.eu for webbased WHOIS.");
        w.Line();
        w.Line("Technical:");
        w.Line($"        Organisation: {r.Registrar.Name}");
        w.Line("        Language: en");
        w.Line($"        Email: {r.Registrar.AbuseEmail}");
        w.Line();
        w.Line("Registrar:");
        w.Line($"        Name: {r.Registrar.Name}");
        w.Line($"        Website: {r.Registrar.Url}");
        w.Line();
        w.Line("Name servers:");
        foreach (var ns in r.NameServers)
            w.Line($"        {ns}");
        w.Line();
        if (r.Dnssec)
        {
            w.Line("Keys:");
            w.Line($"        flags:KSK protocol:3 algorithm:ECDSA_P256_SHA256 pubKey:{Base64Key(r)}");
            w.Line();
        }

        return w.Line("Please visit www.eurid.eu for more info.").ToString();
    }

    private static string Base64Key(SyntheticRegistration r)
    {
        var bytes = new byte[64];
        for (var i = 0; i < bytes.Length; i += 8)
            BitConverter.TryWriteBytes(bytes.AsSpan(i), StableRandom.Mix(r.DetailSeed + (ulong)i));
        return Convert.ToBase64String(bytes);
    }

    private static string CountryName(string code) => code switch
    {
        "US" => "United States of America",
        "GB" => "United Kingdom",
        "DE" => "Germany",
        "FR" => "France",
        "NL" => "Netherlands",
        "JP" => "Japan",
        "RU" => "Russian Federation",
        "BR" => "Brazil",
        "AU" => "Australia",
        "IT" => "Italy",
        "PL" => "Poland",
        "SE" => "Sweden",
        "NO" => "Norway",
        "IE" => "Ireland",
        _ => code,
    };
}
