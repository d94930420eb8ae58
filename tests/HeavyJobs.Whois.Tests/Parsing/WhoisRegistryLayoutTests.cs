using HeavyJobs.Whois.Parsing;

namespace HeavyJobs.Whois.Tests.Parsing;

/// <summary>
/// One answer per registry layout the parser learned beyond the shared corpus. Each answer is written here from the
/// registry's documented layout with made-up data (example names, documentation addresses), not captured.
/// </summary>
public sealed class WhoisRegistryLayoutTests
{
    public static TheoryData<string> Layouts => new(WhoisRegistryLayoutCases.All.Keys);

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Reads_the_fields_of_a_registry_layout(string layout)
    {
        var expected = WhoisRegistryLayoutCases.All[layout];

        var record = WhoisParser.Parse(expected.Raw);

        Assert.Equal(WhoisStatus.Registered, record.Status);
        Assert.Null(record.Error);
        Assert.Equal(expected.Domain, record.Domain);
        Assert.Equal(expected.Registrar, record.Registrar);
        Assert.Equal(expected.Created, record.Created);
        Assert.Equal(expected.Updated, record.Updated);
        Assert.Equal(expected.Expires, record.Expires);
        Assert.Equal(expected.NameServers, record.NameServers);
        if (expected.RegistrantOrganization is not null)
        {
            Assert.Equal(expected.RegistrantOrganization, record.RegistrantOrganization);
        }
    }

    [Theory]
    [InlineData("example.cl: no entries found.\n")]
    [InlineData("example.pt no match\n")]
    [InlineData("No such domain example.ac.uk\n")]
    [InlineData("% No data was found to match the request criteria.\n")]
    [InlineData("Data not found. This domain is available for registration.\n")]
    [InlineData("Domain Name example.my does not exist in database\n")]
    [InlineData("Domain name example.bg does not exist in database!\n")]
    [InlineData("El dominio example.com.ar no se encuentra registrado en el registro.\n")]
    [InlineData("El dominio no existe.\n")]
    [InlineData("%% Object_Not_Found\n")]
    [InlineData("% nothing found\n")]
    [InlineData("Sorry, but domain: \"example.uz\", not found in database\n")]
    [InlineData("The domain example.fj was not found!\n")]
    [InlineData("Domain example.tm is available for purchase\n")]
    [InlineData("Above domain name is not registered to the registry.\n")]
    [InlineData("%ERROR: no entries found\n")]
    [InlineData("Domain: example.ec\n\nAvailable\n")]
    [InlineData("Domain Name: example.za\nDomain Status: Free (reserved for registration)\n")]
    [InlineData("No entries found for the selected source(s).\n\nLast updated on:  2024-07-03T03:51:30Z\n")]
    [InlineData("Registrar: Example Registrar Ltd\nNo match for domain \"EXAMPLE-FREE.XX\".\n")]
    [InlineData("Domínio não encontrado.\n")]
    [InlineData("Domain not registered.\n")]
    [InlineData("The domain example.xx has not been registered.\n")]
    [InlineData("We do not have an entry in our database matching your query.\n")]
    [InlineData("%ERROR:101: no matching objects found\n")]
    [InlineData("Dominio no registrado\n")]
    [InlineData("Domain: example.it\nStato: DISPONIBILE\n")]
    [InlineData("Domain ist nicht vergeben.\n")]
    [InlineData("Домен не знайдено.\n")]
    [InlineData("查無此網域名稱\n")]
    [InlineData("このドメイン名は登録されていません。\n")]
    [InlineData("Nama domain tidak ditemukan.\n")]
    [InlineData("The domain example.xx is free.\n")]
    [InlineData("Domain example.xx is available\n")]
    [InlineData("El dominio example.com.ve está disponible\n")]
    [InlineData("Le domaine example.xx est disponible.\n")]
    [InlineData("Keine Daten gefunden.\n")]
    [InlineData("Aucun résultat pour cette requête.\n")]
    [InlineData("Dominio non trovato.\n")]
    [InlineData("Домен не найден.\n")]
    [InlineData("该域名未注册。\n")]
    [InlineData("該当するデータがありません。\n")]
    public void Recognises_not_found_wordings_of_many_registries_and_languages(string raw)
    {
        var record = WhoisParser.Parse(raw, "example-free.test");

        Assert.Equal(WhoisStatus.NotFound, record.Status);
        Assert.Null(record.Error);
    }

    [Fact]
    public void A_rate_limit_notice_saying_the_service_is_available_again_is_not_a_free_domain()
    {
        var record = WhoisParser.Parse("Query limit exceeded. The service is available again in 60 seconds.\n", "example.test");

        Assert.Equal(WhoisStatus.Bad, record.Status);
        Assert.StartsWith(WhoisParser.RateLimitedPrefix, record.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answer_without_a_domain_line_is_a_record_of_its_other_fields()
    {
        const string Raw = "Registrar: Example Registrar\nCreation Date: 2001-02-03\nName Server: ns1.example.test\n";

        var anonymous = WhoisParser.Parse(Raw);
        var named = WhoisParser.Parse(Raw, "Example.TEST");

        Assert.Equal(WhoisStatus.Registered, anonymous.Status);
        Assert.Null(anonymous.Domain);
        Assert.Equal("Example Registrar", anonymous.Registrar);
        Assert.Equal(WhoisStatus.Registered, named.Status);
        Assert.Equal("example.test", named.Domain);
    }

    [Fact]
    public void Prose_wrapped_with_two_spaces_is_not_a_table_row()
    {
        // Terms of use wrap "... registrar.  Users may ..." with two spaces after the stop; "registrar" is no key there.
        const string Raw = "No match for \"EXAMPLE-FREE.COM\".\n\nsponsoring\nregistrar.  Users may consult the sponsoring registrar's Whois database\n";

        Assert.Equal(WhoisStatus.NotFound, WhoisParser.Parse(Raw).Status);
    }
}
