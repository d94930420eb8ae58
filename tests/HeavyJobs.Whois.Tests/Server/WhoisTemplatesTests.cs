using HeavyJobs.Whois.Client;
using HeavyJobs.Whois.Server;

namespace HeavyJobs.Whois.Tests.Server;

public sealed class WhoisTemplatesTests
{
    private static readonly SyntheticPopulation _population = WhoisTestSupport.Population();

    public static TheoryData<string, string[]> RecordKeys => new()
    {
        { "com", ["   Domain Name: DOM-", "   Registrar WHOIS Server: whois.", "   Registry Expiry Date: ", "   Name Server: ", ">>> Last update of whois database: "] },
        { "net", ["_DOMAIN_NET-VRSN", "The Registry database contains ONLY .COM, .NET, .EDU domains and"] },
        { "org", ["Domain Name: dom-", "-LROR", "Registrar WHOIS Server: whois.", "Registrant Email: Please query the RDDS service"] },
        { "info", ["Registry Domain ID: D5033", "-LRMS", "Registry Expiry Date: "] },
        { "io", ["Registrar IANA ID: 39", "Domain Status: "] },
        { "biz", ["Domain Name: DOM-", "-BIZ", "Registrant Country: "] },
        { "de", ["Domain: dom-", "Nserver: ", "Status: connect", "Changed: "] },
        { "co.uk", ["    Domain name:", "    Registrar:", "[Tag = ", "        Registered on: ", "        Expiry date:  ", "    Name servers:"] },
        { "fr", ["%% This is the AFNIC Whois server.", "domain:      dom-", "holder-c:    ", "Expiry Date: ", "nserver:     ", "source:      FRNIC"] },
        { "nl", ["Domain name: dom-", "Status:      active", "Domain nameservers:", "Record maintained by: NL Domain Registry"] },
        { "jp", ["Domain Information:", "[Domain Name]                   DOM-", "[Name Server]                   ", "[Created on]                    ", "[Expires on]                    "] },
        { "ru", ["domain:        DOM-", "state:         REGISTERED, DELEGATED", "paid-till:     ", "source:        TCI"] },
        { "com.br", ["% Copyright (c) Nic.br", "domain:      dom-", "nic-hdl-br:  ", "status:      "] },
        { "com.au", ["Domain Name: DOM-", "-AU", "Registrar WHOIS Server: whois.auda.org.au", "Registrar Name: ", "Eligibility Type: "] },
        { "it", ["Domain:             dom-", "Expire Date:        ", "Registrar", "  Organization:     ", "Nameservers"] },
        { "pl", ["DOMAIN NAME:           dom-", "nameservers:           ", "renewal date:          ", "REGISTRAR:"] },
        { "se", ["state:            ", "domain:           dom-", "expires:          ", "registrar:        "] },
        { "eu", ["% WHOIS dom-", "Domain: dom-", "Registrant:", "        NOT DISCLOSED!", "Name servers:"] },
    };

    public static TheoryData<string, string> NotFoundWording => new()
    {
        { "com", "No match for \"DOM-" },
        { "net", "No match for \"DOM-" },
        { "org", "Domain not found." },
        { "info", "Domain not found." },
        { "io", "Domain not found." },
        { "biz", "No Data Found" },
        { "de", "Status: free" },
        { "co.uk", "This domain name has not been registered." },
        { "fr", "%% No entries found in the AFNIC Database." },
        { "nl", ".nl is free" },
        { "jp", "No match!!" },
        { "ru", "No entries found for the selected source(s)." },
        { "com.br", "% No match for dom-" },
        { "com.au", "NOT FOUND" },
        { "it", "Status:             AVAILABLE" },
        { "pl", "No information available about domain name dom-" },
        { "se", "\" not found." },
        { "eu", "Status: AVAILABLE" },
    };

    [Theory]
    [MemberData(nameof(RecordKeys))]
    public void Registry_answers_carry_the_registry_keys(string suffix, string[] keys)
    {
        var domain = _population.RegisteredIn(suffix);
        var answer = WhoisTemplates.RenderRegistryAnswer(domain, WhoisTestSupport.Epoch);

        Assert.Contains(domain.Name, answer, StringComparison.OrdinalIgnoreCase);
        foreach (var key in keys)
            Assert.Contains(key, answer, StringComparison.Ordinal);
        foreach (var ns in domain.Registration!.NameServers)
            Assert.Contains(ns, answer, StringComparison.OrdinalIgnoreCase);
        Assert.False(WhoisRateLimitDetector.IsRateLimited(answer));
    }

    [Theory]
    [MemberData(nameof(NotFoundWording))]
    public void Unregistered_domains_get_each_registry_s_not_found_wording(string suffix, string wording)
    {
        var domain = _population.UnregisteredIn(suffix);
        var answer = WhoisTemplates.RenderRegistryAnswer(domain, WhoisTestSupport.Epoch);

        Assert.Contains(wording, answer, StringComparison.Ordinal);
        Assert.DoesNotContain("Registrar WHOIS Server", answer, StringComparison.Ordinal);
        Assert.False(WhoisRateLimitDetector.IsRateLimited(answer));
    }

    [Fact]
    public void Line_endings_follow_the_registry()
    {
        var verisign = WhoisTemplates.RenderRegistryAnswer(_population.RegisteredIn("com"), WhoisTestSupport.Epoch);
        var nominet = WhoisTemplates.RenderRegistryAnswer(_population.RegisteredIn("co.uk"), WhoisTestSupport.Epoch);
        var denic = WhoisTemplates.RenderRegistryAnswer(_population.RegisteredIn("de"), WhoisTestSupport.Epoch);

        Assert.Equal(verisign.Split('\n').Length - 1, verisign.Split("\r\n").Length - 1);
        Assert.Equal(nominet.Split('\n').Length - 1, nominet.Split("\r\n").Length - 1);
        Assert.DoesNotContain("\r", denic, StringComparison.Ordinal);
    }

    [Fact]
    public void Registrar_answers_follow_the_icann_layout_in_each_registrar_s_flavour()
    {
        foreach (var registrar in SyntheticPopulation.Registrars)
        {
            var domain = _population.FindFirst(d => d.Registration?.Registrar == registrar);
            if (domain is null)
                continue;
            var answer = WhoisTemplates.RenderRegistrarAnswer(domain, WhoisTestSupport.Epoch);

            Assert.Contains($"Registrar WHOIS Server: {registrar.WhoisServer}", answer, StringComparison.Ordinal);
            Assert.Contains("Registrar Registration Expiration Date: ", answer, StringComparison.Ordinal);
            Assert.Contains($"Registrar: {registrar.Name}", answer, StringComparison.Ordinal);
            Assert.Contains("Registrant Organization: ", answer, StringComparison.Ordinal);
            Assert.Contains("URL of the ICANN WHOIS Data Problem Reporting System", answer, StringComparison.Ordinal);
            Assert.False(WhoisRateLimitDetector.IsRateLimited(answer));

            var notFound = WhoisTemplates.RenderRegistrarNotFound(registrar, "dom-x.com", WhoisTestSupport.Epoch);
            Assert.StartsWith("No match for \"", notFound, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Thin_registry_answers_refer_to_the_registrar()
    {
        foreach (var suffix in (string[])["com", "net", "org", "info", "io", "biz"])
        {
            var domain = _population.RegisteredIn(suffix);
            var answer = WhoisTemplates.RenderRegistryAnswer(domain, WhoisTestSupport.Epoch);

            Assert.Equal(domain.Registration!.Registrar.WhoisServer, WhoisReferralParser.FindReferral(answer));
        }
    }

    [Fact]
    public void Every_rate_limit_refusal_is_recognised_by_the_client()
    {
        foreach (var style in Enum.GetValues<WhoisRegistryStyle>())
            Assert.True(WhoisRateLimitDetector.IsRateLimited(WhoisTemplates.RenderRateLimited(style, WhoisTestSupport.Epoch)), style.ToString());
        foreach (var registrar in SyntheticPopulation.Registrars)
            Assert.True(WhoisRateLimitDetector.IsRateLimited(WhoisTemplates.RenderRegistrarRateLimited(registrar)), registrar.Name);
    }

    [Fact]
    public void No_record_is_mistaken_for_a_rate_limit_refusal()
    {
        foreach (var domain in Enumerable.Range(0, 600).Select(i => _population.Describe(i)))
        {
            Assert.False(WhoisRateLimitDetector.IsRateLimited(WhoisTemplates.RenderRegistryAnswer(domain, WhoisTestSupport.Epoch)), domain.Name);
            if (domain.IsRegistered)
                Assert.False(WhoisRateLimitDetector.IsRateLimited(WhoisTemplates.RenderRegistrarAnswer(domain, WhoisTestSupport.Epoch)), domain.Name);
        }
    }

    [Fact]
    public void Local_dates_use_the_registry_time_zone()
    {
        var summer = _population.First(d => d.Tld.Suffix == "de" && d.Registration is { } r && r.UpdatedAt.Month == 7);
        var winter = _population.First(d => d.Tld.Suffix == "de" && d.Registration is { } r && r.UpdatedAt.Month == 1);

        Assert.Contains("+02:00", WhoisTemplates.RenderRegistryAnswer(summer, WhoisTestSupport.Epoch), StringComparison.Ordinal);
        Assert.Contains("+01:00", WhoisTemplates.RenderRegistryAnswer(winter, WhoisTestSupport.Epoch), StringComparison.Ordinal);
    }
}
