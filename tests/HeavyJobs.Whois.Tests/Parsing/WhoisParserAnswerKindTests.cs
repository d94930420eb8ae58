using HeavyJobs.Whois.Parsing;

namespace HeavyJobs.Whois.Tests.Parsing;

public sealed class WhoisParserAnswerKindTests
{
    // One wording per registry family seen in the corpus, written out here rather than copied from it.
    [Theory]
    [InlineData("No match for \"EXAMPLE-FREE.COM\".\r\n>>> Last update of whois database: 2024-01-01T00:00:00Z <<<\r\n")]
    [InlineData("NOT FOUND\n>>> Last update of WHOIS database: 2024-01-01T00:00:00Z <<<\n")]
    [InlineData("No Data Found\nURL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/\n")]
    [InlineData("Domain not found.\n")]
    [InlineData("The queried object does not exist: DOMAIN NOT FOUND\n")]
    [InlineData("Domain Name: example-free.ai\nDomain Status: No Object Found\n")]
    [InlineData("Domain: example-free.de\nStatus: free\n")]
    [InlineData("Domain:             example-free.it\nStatus:             AVAILABLE\n")]
    [InlineData("domain_name: example-free.nz\nquery_status: 220 Available\n")]
    [InlineData("example-free.nl is free\n")]
    [InlineData("domain \"example-free.se\" not found.\n")]
    [InlineData("%% No entries found in the AFNIC Database.\n")]
    [InlineData("%ERROR:101: no entries found\n")]
    [InlineData("%ERROR:103: Domain is not registered\n")]
    [InlineData("% No match for example-free.br\n")]
    [InlineData("% This query returned 0 objects.\n")]
    [InlineData("No entries found for the selected source(s).\n")]
    [InlineData("No matching record.\n")]
    [InlineData("Object does not exist\n")]
    [InlineData("Not found: example-free.ca\n")]
    [InlineData("The domain name is not registered.\n")]
    [InlineData("The domain has not been registered.\n")]
    [InlineData("    This domain name has not been registered.\n")]
    [InlineData(">>> Domain example-free.love is available for registration\n")]
    [InlineData("No information available about domain name example-free.pl in the Registry NASK database.\n")]
    [InlineData("Invalid query or domain name not known in Dot TK Domain Registry\n")]
    [InlineData("The requested domain was not found in the Registry or Registrar's WHOIS Server.\n")]
    [InlineData("*** Nothing found for this query.\n")]
    [InlineData("Nothing was found for this query.\n")]
    [InlineData("Domain Name: example-free.xx\nRegistry Status: AVAILABLE\n")]
    [InlineData("Domain: example-free.xx\nAvailability: available\n")]
    [InlineData("Domena: example-free.pl\nStatus: Dostępna\n")]
    [InlineData("Домен: example-free.by\nСтатус: свободен\n")]
    [InlineData("No records matching 'example-free.bt' found.\n")]
    [InlineData("No information was found matching that query.\n")]
    [InlineData("There is no information on this domain.\n")]
    [InlineData("No Found\n")]
    [InlineData("NO MATCH: example-free.edu\n")]
    [InlineData("Nincs talalat / No match\n")]
    [InlineData("No match!!\n")]
    [InlineData("Not available for registration.\n")]
    [InlineData("Domain name not known\n")]
    [InlineData("Domain example-free.test not found in the registry.\n")]
    [InlineData("There is no entry for example-free.test\n")]
    [InlineData("example-free.test - Available\n")]
    [InlineData("Not a registered domain\n")]
    [InlineData("Domain: example-free.test\nStatus:  Free for registration\n")]
    [InlineData("Domain Name: example-free.test\nStatus: Available for registration\n")]
    [InlineData("There are no records for this domain.\n")]
    [InlineData("The domain example-free.test is not taken.\n")]
    public void Recognises_not_found_wordings(string raw)
    {
        var record = WhoisParser.Parse(raw, "example-free.test");

        Assert.Equal(WhoisStatus.NotFound, record.Status);
        Assert.Null(record.Error);
        Assert.NotNull(record.Domain);
    }

    // Registries that answer in their own language: each sentence says "not found", "not registered" or "no
    // results" as a registry in that language would put it (written here, with made-up domains).
    [Theory]
    [InlineData("Domaine example-free.test introuvable.\n")]                     // French
    [InlineData("Pas de correspondance pour example-free.test\n")]
    [InlineData("Aucun objet trouvé pour example-free.test\n")]
    [InlineData("Keine Treffer für example-free.test\n")]                       // German
    [InlineData("Kein Eintrag zu example-free.test vorhanden.\n")]
    [InlineData("Nenhum resultado encontrado para example-free.test\n")]       // Portuguese
    [InlineData("O domínio example-free.test não está registado.\n")]        // Portuguese (Portugal)
    [InlineData("No hay información para el dominio example-free.test\n")]   // Spanish
    [InlineData("Domeeni example-free.test ei leitud\n")]                      // Estonian
    [InlineData("Verkkotunnusta example-free.test ei löytynyt\n")]             // Finnish
    [InlineData("Domänen example-free.test hittades inte\n")]                  // Swedish
    [InlineData("Domænet example-free.test blev ikke fundet\n")]               // Danish
    [InlineData("Ingen treff for example-free.test\n")]                        // Norwegian
    [InlineData("Ingen träff för example-free.test\n")]                        // Swedish
    [InlineData("Domena example-free.test nije pronađena\n")]                  // Croatian, Bosnian, Serbian (Latin)
    [InlineData("Домен example-free.test није пронађен\n")]                    // Serbian (Cyrillic)
    [InlineData("Domena example-free.test nie jest zarejestrowana\n")]         // Polish
    [InlineData("Doména example-free.test nebyla nalezena\n")]                 // Czech
    [InlineData("Doména example-free.test nie je registrovaná\n")]             // Slovak
    [InlineData("Domena example-free.test ni registrirana\n")]                 // Slovenian
    [InlineData("Domeniul example-free.test nu este înregistrat\n")]           // Romanian
    [InlineData("Domenas example-free.test nerastas\n")]                       // Lithuanian
    [InlineData("Domēns example-free.test nav atrasts\n")]                     // Latvian
    [InlineData("Домейнът example-free.test не е регистриран\n")]             // Bulgarian
    [InlineData("Доменот example-free.test не е пронајден\n")]                // Macedonian
    [InlineData("Το όνομα example-free.test δεν βρέθηκε\n")]                   // Greek
    [InlineData("Domain example-free.test tidak terdaftar\n")]                 // Indonesian, Malay
    [InlineData("ไม่พบข้อมูลของโดเมน example-free.test\n")]                   // Thai
    [InlineData("النطاق example-free.test غير مسجل\n")]                        // Arabic: not registered
    [InlineData("لم يتم العثور على النطاق example-free.test\n")]              // Arabic: not found
    [InlineData("הדומיין example-free.test לא נמצא\n")]                        // Hebrew
    [InlineData("دامنه example-free.test یافت نشد\n")]                         // Persian
    [InlineData("example-free.test alan adı kayıtlı değil\n")]                 // Turkish
    [InlineData("example-free.test: no objects found\n")]
    [InlineData("Die Domain example-free.test existiert nicht.\n")]              // "does not exist": German
    [InlineData("Het domein example-free.test bestaat niet.\n")]                 // Dutch
    [InlineData("Domænet example-free.test findes ikke.\n")]                     // Danish
    [InlineData("Domenet example-free.test finnes ikke.\n")]                     // Norwegian
    [InlineData("Verkkotunnusta example-free.test ei ole olemassa.\n")]          // Finnish
    [InlineData("Domena example-free.test nie istnieje.\n")]                     // Polish
    [InlineData("Doména example-free.test neexistuje.\n")]                       // Czech, Slovak
    [InlineData("A(z) example-free.test domain nem létezik.\n")]                 // Hungarian
    [InlineData("Domena example-free.test ne postoji.\n")]                       // Croatian, Serbian (Latin)
    [InlineData("Domena example-free.test ne obstaja.\n")]                       // Slovenian
    [InlineData("Domeniul example-free.test nu există.\n")]                      // Romanian
    [InlineData("Домейнът example-free.test не съществува.\n")]                  // Bulgarian
    [InlineData("Домен example-free.test не существует.\n")]                     // Russian
    [InlineData("ДОМЕН EXAMPLE-FREE.TEST НЕ НАЙДЕН\n")]                           // Russian, in capitals
    [InlineData("Домен example-free.test не існує.\n")]                          // Ukrainian
    [InlineData("example-free.test alan adı mevcut değil.\n")]                   // Turkish
    [InlineData("Tên miền example-free.test không tồn tại.\n")]                  // Vietnamese
    [InlineData("ドメイン example-free.test は存在しません。\n")]                   // Japanese
    [InlineData("도메인 example-free.test 이(가) 존재하지 않습니다.\n")]            // Korean
    [InlineData("域名 example-free.test 不存在\n")]                                // Chinese
    [InlineData("النطاق example-free.test غير موجود\n")]                         // Arabic
    [InlineData("example-free.test 도메인은 등록되어 있지 않습니다.\n")]          // Korean: not registered
    [InlineData("لا توجد بيانات للنطاق example-free.test\n")]                    // Arabic: no data
    [InlineData("دامنه example-free.test وجود ندارد\n")]                         // Persian
    [InlineData("הדומיין example-free.test לא קיים\n")]                          // Hebrew
    [InlineData("Domain tersedia\n")]                                            // a short sentence ending in a status word: Indonesian
    [InlineData("Doména je volná.\n")]                                           // Czech
    [InlineData("Домен свободен\n")]                                             // Russian
    [InlineData("Verkkotunnus on vapaa.\n")]                                     // Finnish
    public void Recognises_not_found_wordings_in_many_languages(string raw)
    {
        var record = WhoisParser.Parse(raw, "example-free.test");

        Assert.Equal(WhoisStatus.NotFound, record.Status);
        Assert.Null(record.Error);
    }

    // Without a domain line or a query, the not-found sentence names the record.
    [Theory]
    [InlineData("No match for domain \"EXAMPLE-FREE.XY\".\n>>> Last update of whois database: 2024-01-01T00:00:00Z <<<\n", "example-free.xy")]
    [InlineData("The domain name example-free.xy is available.\nWhois Server: whois.nic.xy\n", "example-free.xy")]
    [InlineData("% No match for example-free.xy\n", "example-free.xy")]
    [InlineData("Not found: example-free.xy\n", "example-free.xy")]
    [InlineData("Domain not found. Ask whois.nic.xy or see www.nic.xy\n", null)]
    [InlineData("No entries found for the selected source(s).\n", null)]
    public void A_not_found_sentence_names_the_domain_when_nothing_else_does(string raw, string? domain)
    {
        var record = WhoisParser.Parse(raw);

        Assert.Equal(WhoisStatus.NotFound, record.Status);
        Assert.Equal(domain, record.Domain);
        Assert.Equal("asked.xy", WhoisParser.Parse(raw, "asked.xy").Domain);
    }

    [Fact]
    public void A_not_found_answer_keeps_the_domain_it_names()
    {
        var record = WhoisParser.Parse("Domain: Example-Free.DE\nStatus: free\n", "other.de");

        Assert.Equal("example-free.de", record.Domain);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \r\n\t\n")]
    public void An_empty_answer_is_bad(string raw)
    {
        var record = WhoisParser.Parse(raw);

        Assert.Equal(WhoisStatus.Bad, record.Status);
        Assert.Equal("empty answer", record.Error);
    }

    [Fact]
    public void Binary_noise_is_unreadable()
    {
        var noise = new string([.. Enumerable.Range(0, 400).Select(i => (char)((i * 37) % 32))]);

        var record = WhoisParser.Parse(noise);

        Assert.Equal(WhoisStatus.Bad, record.Status);
        Assert.Equal("unreadable answer", record.Error);
    }

    [Theory]
    [InlineData("\uFFFD\uFFFD\u0001\uFFFD\uFFFD\u0002\uFFFD\u0003\uFFFD\uFFFD Domain \uFFFD\uFFFD\uFFFD\n")]
    [InlineData("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>")]
    [InlineData("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")]
    [InlineData("<html><head><title>Service Unavailable</title></head><body><p>No match for the requested page.</p></body></html>")]
    [InlineData("1234567890 ---- 0987654321\n")]
    public void Mis_decoded_html_or_wordless_answers_are_unreadable(string raw)
    {
        Assert.Equal("unreadable answer", WhoisParser.Parse(raw).Error);
    }

    [Theory]
    [InlineData("WHOIS LIMIT EXCEEDED - SEE WWW.EXAMPLE-REGISTRY.TEST/WHOIS FOR DETAILS\n")]
    [InlineData("%ERROR:201: access denied for 192.0.2.7\n% Sorry, access from your host has been denied.\n")]
    [InlineData("Your connection limit exceeded. Please slow down and try again later.\n")]
    [InlineData("% Query rate limit exceeded. Reduced information.\n")]
    [InlineData("Too many requests, please wait a minute\n")]
    [InlineData("Queried interval is too short.\n")]
    public void A_rate_limit_refusal_is_bad_with_a_rate_limited_reason(string raw)
    {
        var record = WhoisParser.Parse(raw, "example.com");

        Assert.Equal(WhoisStatus.Bad, record.Status);
        Assert.StartsWith("rate limited", record.Error, StringComparison.Ordinal);
        Assert.True(WhoisParser.IsRateLimited(raw));
    }

    [Fact]
    public void Terms_of_use_that_mention_throttling_do_not_make_a_record_rate_limited()
    {
        const string Raw = """
            Domain Name: example.xyz
            Registrar: Example Registrar
            Name Server: ns1.example.xyz

            Access to the Whois service is rate limited. Too many queries from one address
            are blacklisted; you have exceeded nothing yet, so try again later if refused.
            """;

        Assert.False(WhoisParser.IsRateLimited(Raw));
        Assert.Equal(WhoisStatus.Registered, WhoisParser.Parse(Raw).Status);
    }

    [Fact]
    public void An_answer_cut_off_after_the_domain_line_is_truncated()
    {
        const string Raw = "Domain Name: EXAMPLE.COM\nRegistry Domain ID: 2138514_DOMAIN_COM-VRSN\nRegistrar WHOIS Server: whois.exa";

        var record = WhoisParser.Parse(Raw);

        Assert.Equal(WhoisStatus.Bad, record.Status);
        Assert.Equal("truncated", record.Error);
        Assert.Equal("example.com", record.Domain);
    }

    [Fact]
    public void An_answer_cut_off_before_the_domain_line_is_truncated()
    {
        var record = WhoisParser.Parse("% Registry WHOIS\nRegistry Domain ID: 2138514_DOMAIN_COM-VRSN\nDomain Na");

        Assert.Equal("truncated", record.Error);
    }

    [Fact]
    public void A_complete_answer_without_a_domain_is_bad()
    {
        var record = WhoisParser.Parse("Welcome to the example registry.\nPlease query a domain name.\n");

        Assert.Equal(WhoisStatus.Bad, record.Status);
        Assert.Equal("no domain field", record.Error);
    }

    [Theory]
    [InlineData("This domain is not available.\n")]
    [InlineData("Domain nicht frei\n")]
    public void A_status_word_after_a_negation_is_no_not_found_sentence(string raw)
    {
        Assert.NotEqual(WhoisStatus.NotFound, WhoisParser.Parse(raw, "example.test").Status);
    }

    [Fact]
    public void A_domain_with_only_a_status_is_a_registered_record()
    {
        var record = WhoisParser.Parse("   Domain Name: EXAMPLE.GOV\n   Status: ACTIVE\n");

        Assert.Equal(WhoisStatus.Registered, record.Status);
        Assert.Equal("example.gov", record.Domain);
    }
}
