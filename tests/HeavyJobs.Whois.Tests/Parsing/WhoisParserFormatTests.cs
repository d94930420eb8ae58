using HeavyJobs.Whois.Parsing;

namespace HeavyJobs.Whois.Tests.Parsing;

public sealed class WhoisParserFormatTests
{
    private static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public void Reads_an_icann_style_answer()
    {
        const string Raw = """
            Domain Name: EXAMPLE-SHOP.COM
            Registry Domain ID: 1234_DOMAIN_COM-VRSN
            Registrar WHOIS Server: whois.example-registrar.test
            Registrar URL:
            Updated Date: 2021-03-04T05:06:07Z
            Creation Date: 2001-02-03T04:05:06-0700
            Registry Expiry Date: 2030-02-03T04:05:06.5Z
            Registrar: Example Registrar, LLC
            Registrar Abuse Contact Phone:
            Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited
            Domain Status: serverHoldProhibited (https://icann.org/epp#serverHoldProhibited)
            Registrant Organization: Example Shop Ltd
            Registrant Country: GB
            Name Server: NS1.EXAMPLE-DNS.NET.
            Name Server: ns2.example-dns.net
            Name Server: ns1.example-dns.net
            DNSSEC: unsigned
            >>> Last update of whois database: 2024-01-01T00:00:00Z <<<

            NOTICE: No match for this sentence must not turn the record into "not found".
            """;

        var record = WhoisParser.Parse(Raw);

        Assert.Equal(WhoisStatus.Registered, record.Status);
        Assert.Equal("example-shop.com", record.Domain);
        Assert.Equal("Example Registrar, LLC", record.Registrar);
        Assert.Equal(Utc(2001, 2, 3, 11, 5, 6), record.Created);
        Assert.Equal(Utc(2021, 3, 4, 5, 6, 7), record.Updated);
        Assert.Equal(Utc(2030, 2, 3, 4, 5, 6).AddMilliseconds(500), record.Expires);
        Assert.Equal(["ns1.example-dns.net", "ns2.example-dns.net"], record.NameServers);
        Assert.Equal(["clientTransferProhibited", "serverHoldProhibited"], record.Statuses);
        Assert.Equal("Example Shop Ltd", record.RegistrantOrganization);
        Assert.Equal("GB", record.RegistrantCountry);
        Assert.Null(record.Error);
    }

    [Fact]
    public void Reads_indented_blocks_in_the_nominet_style()
    {
        const string Raw = """

                Domain name:
                    example.co.uk

                Registrar:
                    Example Names Ltd t/a Example [Tag = EXAMPLE]
                    URL: https://www.example-names.test

                Relevant dates:
                    Registered on: 05-Mar-2012
                    Expiry date:  05-Mar-2030
                    Last updated:  17-Aug-2023

                Registration status:
                    Registered until expiry date.

                Name servers:
                    ns1.example-names.test        192.0.2.10
                    ns2.example-names.test        2001:db8::10

                WHOIS lookup made at 10:11:12 01-Jan-2024

            """;

        var record = WhoisParser.Parse(Raw);

        Assert.Equal(WhoisStatus.Registered, record.Status);
        Assert.Equal("example.co.uk", record.Domain);
        Assert.Equal("Example Names Ltd t/a Example [Tag = EXAMPLE]", record.Registrar);
        Assert.Equal(Utc(2012, 3, 5), record.Created);
        Assert.Equal(Utc(2030, 3, 5), record.Expires);
        Assert.Equal(Utc(2023, 8, 17), record.Updated);
        Assert.Equal(["ns1.example-names.test", "ns2.example-names.test"], record.NameServers);
        Assert.Equal(["Registered"], record.Statuses);
    }

    [Fact]
    public void Takes_the_name_inside_a_registrar_block_over_its_organisation_or_handle()
    {
        const string EuridStyle = """
            Domain: example.eu
            Registrant:
                    NOT DISCLOSED!
            Registrar:
                    Organisation: Example Holding
                    Name: Example Registrar BV
                    Website: www.example-registrar.test
            Name servers:
                    ns1.example.eu
                    ns2.example.eu

            """;
        const string HandleStyle = """
            Domain:                       example.sk
            Nameserver:                   ns1.example.sk
            Registrar:                    EXMP-0001
            Name:                         Example Registrar s.r.o.
            Country Code:                 SK

            """;

        Assert.Equal("Example Registrar BV", WhoisParser.Parse(EuridStyle).Registrar);
        Assert.Equal(["ns1.example.eu", "ns2.example.eu"], WhoisParser.Parse(EuridStyle).NameServers);
        Assert.Equal("Example Registrar s.r.o.", WhoisParser.Parse(HandleStyle).Registrar);
    }

    [Fact]
    public void Reads_jprs_bracketed_keys()
    {
        const string Raw = """
            [ JPRS database provides information on network administration. Its use is    ]
            [ restricted to network administration purposes.                               ]

            Domain Information:
            a. [Domain Name]                EXAMPLE.CO.JP
            g. [Organization]               Example K.K.
            m. [Administrative Contact]     AB12345JP
            p. [Name Server]                ns1.example.jp
            p. [Name Server]                ns2.example.jp
            s. [Signing Key]
            [State]                         Connected (2030/03/31)
            [Registered Date]               2001/03/22
            [Last Update]                   2023/04/01 01:05:57 (JST)

            """;

        var record = WhoisParser.Parse(Raw);

        Assert.Equal("example.co.jp", record.Domain);
        Assert.Equal("Example K.K.", record.RegistrantOrganization);
        Assert.Equal(["ns1.example.jp", "ns2.example.jp"], record.NameServers);
        Assert.Equal(["Connected"], record.Statuses);
        // JPRS dates without a zone are read as UTC (as the checked corpus does); "(JST)" is UTC+9.
        Assert.Equal(Utc(2001, 3, 22), record.Created);
        Assert.Equal(Utc(2023, 3, 31, 16, 5, 57), record.Updated);
    }

    [Fact]
    public void Reads_ripe_style_objects_with_addresses_after_the_name_servers()
    {
        const string Raw = """
            % IANA-like answer

            domain:       EXAMPLE
            organisation: Example Registry Services
            contact:      administrative
            name:         Registry Admin
            organisation: Someone Else Inc.
            nserver:      A.NIC.EXAMPLE 192.0.2.1 2001:db8:0:0:0:0:0:1
            nserver:      B.NIC.EXAMPLE. 198.51.100.1
            status:       ACTIVE
            created:      1985-01-01
            changed:      2017-10-05
            source:       IANA

            """;

        var record = WhoisParser.Parse(Raw);

        Assert.Equal("example", record.Domain);
        Assert.Equal(["a.nic.example", "b.nic.example"], record.NameServers);
        Assert.Equal(["ACTIVE"], record.Statuses);
        Assert.Equal("Example Registry Services", record.RegistrantOrganization);
        Assert.Equal(Utc(1985, 1, 1), record.Created);
        Assert.Equal(Utc(2017, 10, 5), record.Updated);
    }

    [Fact]
    public void Keeps_the_domain_dates_when_contact_objects_repeat_the_keys()
    {
        const string Raw = """
            domain:      example.fr
            status:      ACTIVE
            holder-c:    EX1-FRNIC
            registrar:   EXAMPLE REGISTRAR SAS
            Expiry Date: 2030-05-05T08:07:09Z
            created:     1999-12-22T23:00:00Z
            last-update: 2019-05-05T08:38:28Z
            nserver:     ns1.example.fr

            registrar:   EXAMPLE REGISTRAR SAS
            address:
            country:     FR
            registered:  1998-01-01T00:00:00Z

            nic-hdl:     EX1-FRNIC
            contact:     Example Holder
            country:     BE
            changed:     2015-03-20T21:13:41Z nic@nic.fr

            """;

        var record = WhoisParser.Parse(Raw);

        Assert.Equal(Utc(1999, 12, 22, 23, 0, 0), record.Created);
        Assert.Equal(Utc(2019, 5, 5, 8, 38, 28), record.Updated);
        Assert.Equal(Utc(2030, 5, 5, 8, 7, 9), record.Expires);
        Assert.Equal("BE", record.RegistrantCountry);
    }

    [Fact]
    public void Reads_dot_padded_keys_and_numbered_name_servers()
    {
        const string Padded = """
            Domain Name............: example.kz
            Nameserver in listed order
            Primary server.........: ns1.example.kz
            Primary ip address.....: 192.0.2.1
            Secondary server.......: ns2.example.kz
            Domain created: 1999-06-07 13:01:43 (GMT+0:00)
            Current Registar: EXAMPLE-NIC

            """;
        const string Numbered = """
            domain_name: example.nz
            query_status: 200 Active
            domain_datelastmodified: 2019-01-02T04:55:30+13:00
            registrar_name: Example NZ Registrar
            ns_name_01: ns1.example.nz
            ns_name_02: ns2.example.nz

            """;

        var padded = WhoisParser.Parse(Padded);
        Assert.Equal("example.kz", padded.Domain);
        Assert.Equal(["ns1.example.kz", "ns2.example.kz"], padded.NameServers);
        Assert.Equal(Utc(1999, 6, 7, 13, 1, 43), padded.Created);
        Assert.Equal("EXAMPLE-NIC", padded.Registrar);

        var numbered = WhoisParser.Parse(Numbered);
        Assert.Equal("Example NZ Registrar", numbered.Registrar);
        Assert.Equal(["ns1.example.nz", "ns2.example.nz"], numbered.NameServers);
        Assert.Equal(Utc(2019, 1, 1, 15, 55, 30), numbered.Updated);
    }

    [Fact]
    public void Reads_tab_separated_keys_and_name_server_lists_with_addresses()
    {
        var raw = "Domain name\texample.ch\n"
            + "Registrar\tExample Hosting AG\n"
            + "Example Street 1\n"
            + "CH-8000 Zurich\n"
            + "\n"
            + "Name servers\n"
            + "ns1.example.ch\t192.0.2.53\n"
            + "ns1.example.ch\t2001:db8::53\n"
            + "ns2.example.net\n"
            + "\n"
            + "First registration date\t31 May 1999\n";

        var record = WhoisParser.Parse(raw);

        Assert.Equal("example.ch", record.Domain);
        Assert.Equal("Example Hosting AG", record.Registrar);
        Assert.Equal(["ns1.example.ch", "ns2.example.net"], record.NameServers);
        Assert.Equal(Utc(1999, 5, 31), record.Created);
    }

    [Theory]
    [InlineData("ns1.example.net/192.0.2.53")]
    [InlineData("ns1.example.net:192.0.2.53")]
    [InlineData("ns1.example.net. 192.0.2.53 2001:db8::53")]
    [InlineData("ns1.example.net (192.0.2.53)")]
    [InlineData("ns1.example.net [192.0.2.53]")]
    public void Reads_a_name_server_whatever_its_address_is_joined_with(string line)
    {
        var record = WhoisParser.Parse($"Domain Name: example.xy\nName Server: {line}\nName Server: ns2.example.org\n");

        Assert.Equal(["ns1.example.net", "ns2.example.org"], record.NameServers);
    }

    [Theory]
    [InlineData("Domain: example.xy, registered")]
    [InlineData("Domain Name: \"EXAMPLE.XY\"")]
    [InlineData("Domain Name: example.xy.")]
    [InlineData("Domain: example.xy; active")]
    public void Reads_the_domain_without_the_marks_around_it(string line)
    {
        var record = WhoisParser.Parse($"{line}\nRegistrar: Example Registrar\n");

        Assert.Equal("example.xy", record.Domain);
    }

    [Fact]
    public void Reads_sentences_that_carry_dates_and_lists_under_bare_titles()
    {
        const string Raw = """
            Domain Name: example.com.tw
               Domain Status: clientUpdateProhibited,clientTransferProhibited
               Record expires on 2030-11-09 00:00:00 (UTC+8)
               Record created on 2000-08-29 10:22:50 (UTC+8)
               Domain servers in listed order:
                  ns1.example.tw
                  ns2.example.tw
            Registration Service Provider: Example Registrar, Inc.

            """;

        var record = WhoisParser.Parse(Raw);

        Assert.Equal(Utc(2000, 8, 29, 2, 22, 50), record.Created);
        Assert.Equal(Utc(2030, 11, 8, 16, 0, 0), record.Expires);
        Assert.Equal(["ns1.example.tw", "ns2.example.tw"], record.NameServers);
        Assert.Equal(["clientUpdateProhibited", "clientTransferProhibited"], record.Statuses);
        Assert.Equal("Example Registrar, Inc.", record.Registrar);
    }

    [Fact]
    public void Reads_continuation_lines_and_headers_followed_by_bare_values()
    {
        const string Raw = """
            DOMAIN NAME:           example.pl
            nameservers:           ns1.example.pl.
                                   ns2.example.pl.
            created:               2002.09.19 13:00:00
            renewal date:          2030.09.18 14:00:00

            REGISTRAR:
            Example Registrar sp. z o.o.
            ul. Przykladowa 1
            +48.123456789

            """;

        var record = WhoisParser.Parse(Raw);

        Assert.Equal(["ns1.example.pl", "ns2.example.pl"], record.NameServers);
        Assert.Equal("Example Registrar sp. z o.o.", record.Registrar);
        Assert.Equal(Utc(2002, 9, 19, 13, 0, 0), record.Created);
        Assert.Equal(Utc(2030, 9, 18, 14, 0, 0), record.Expires);
    }

    [Fact]
    public void Strips_a_spaced_url_annotation_from_the_registrar_but_keeps_a_glued_one()
    {
        const string Spaced = "Domain:\n     example.gg\nRegistrar:\n     Example Inc. (http://www.example.test)\n\n";
        const string Glued = "Domain Name : example.kr\nAuthorized Agency : Example(http://EXAMPLE.KR)\n";

        Assert.Equal("Example Inc.", WhoisParser.Parse(Spaced).Registrar);
        Assert.Equal("Example(http://EXAMPLE.KR)", WhoisParser.Parse(Glued).Registrar);
    }

    [Fact]
    public void Uses_dns_lines_only_when_no_real_name_server_list_exists()
    {
        const string DkStyle = "Domain: example.dk\nDNS: example.dk\nNameservers\nHostname: ns1.example.dk\nHostname: ns2.example.dk\n";
        const string RsStyle = "Domain name: example.rs\nDNS: ns1.example.rs - 192.0.2.1\nDNS: ns2.example.rs - \n";

        Assert.Equal(["ns1.example.dk", "ns2.example.dk"], WhoisParser.Parse(DkStyle).NameServers);
        Assert.Equal(["ns1.example.rs", "ns2.example.rs"], WhoisParser.Parse(RsStyle).NameServers);
    }

    [Fact]
    public void Ignores_state_lines_inside_contact_blocks()
    {
        const string Raw = """
            Domain name:
               EXAMPLE.TK is Active

            Owner contact:
               Organization: Example LLC
               State:        California
               Country:      U.S.A.

            Domain Nameservers:
               NS1.EXAMPLE.COM

            Domain registered: 12/18/2001
            Record will expire on: 03/02/2030

            """;

        var record = WhoisParser.Parse(Raw);

        Assert.Equal("example.tk", record.Domain);
        Assert.Empty(record.Statuses);
        Assert.Equal("Example LLC", record.RegistrantOrganization);
        Assert.Equal("U.S.A.", record.RegistrantCountry);
        Assert.Equal(Utc(2001, 12, 18), record.Created);
        Assert.Equal(Utc(2030, 2, 3), record.Expires);
    }

    [Fact]
    public void Names_a_record_without_a_domain_line_after_the_queried_domain()
    {
        const string Raw = "Name Server: ns1.example.net\nCreation Date: 2000-01-01\n";

        var record = WhoisParser.Parse(Raw, " Example.COM. ");

        Assert.Equal(WhoisStatus.Registered, record.Status);
        Assert.Equal("example.com", record.Domain);
        Assert.Equal(WhoisStatus.Registered, WhoisParser.Parse(Raw).Status);
        Assert.Null(WhoisParser.Parse(Raw).Domain);
    }

    [Theory]
    [InlineData("Please query the domain at whois.example.net")]
    [InlineData("For the domain's servers see www.example.net")]
    [InlineData("This domain is served by the registry")]
    public void A_title_that_does_not_end_in_the_domain_names_nothing(string title)
    {
        var raw = $"{title}\n\nRegistrar: Example Registrar Ltd\nExpires: 2027-02-03\n";

        Assert.Null(WhoisParser.Parse(raw).Domain);
        Assert.Equal("example.xy", WhoisParser.Parse(raw, "example.xy").Domain);
    }

    [Fact]
    public void The_query_names_a_record_before_a_title_sentence_does()
    {
        const string Raw = "Information about domain other.xy\n\nRegistrar: Example Registrar Ltd\nExpires: 2027-02-03\n";

        Assert.Equal("other.xy", WhoisParser.Parse(Raw).Domain);
        Assert.Equal("example.xy", WhoisParser.Parse(Raw, "example.xy").Domain);
    }

    // Date keys no table knows, in the languages registries answer in: read by the stems of their words.
    [Theory]
    [InlineData("Dernière mise à jour", "updated")] // French
    [InlineData("Date de mise à jour", "updated")] // French
    [InlineData("Senast ändrad", "updated")] // Swedish
    [InlineData("Sidst ændret", "updated")] // Danish
    [InlineData("Viimeksi muutettu", "updated")] // Finnish
    [InlineData("Data modyfikacji", "updated")] // Polish
    [InlineData("Změněno", "updated")] // Czech
    [InlineData("Utolsó módosítás", "updated")] // Hungarian
    [InlineData("Последнее изменение", "updated")] // Russian
    [InlineData("Обновлено", "updated")] // Russian
    [InlineData("Poslednja izmjena", "updated")] // Croatian
    [InlineData("Son güncelleme", "updated")] // Turkish
    [InlineData("Cập nhật lần cuối", "updated")] // Vietnamese
    [InlineData("Tanggal diperbarui", "updated")] // Indonesian
    [InlineData("Atualizado em", "updated")] // Portuguese
    [InlineData("Registrado em", "created")] // Portuguese
    [InlineData("Angelegt", "created")] // German
    [InlineData("Aangemaakt", "created")] // Dutch
    [InlineData("Registreringsdato", "created")] // Danish, Norwegian
    [InlineData("Registrerad", "created")] // Swedish
    [InlineData("Tanggal registrasi", "created")] // Indonesian
    [InlineData("Fecha de caducidad", "expires")] // Spanish
    [InlineData("Date d'échéance", "expires")] // French
    [InlineData("Utløpsdato", "expires")] // Norwegian
    [InlineData("Förfallodatum", "expires")] // Swedish
    [InlineData("Оплачено до", "expires")] // Russian
    [InlineData("Действителен до", "expires")] // Russian
    public void Reads_a_date_key_in_another_language_by_its_words(string key, string field)
    {
        var record = WhoisParser.Parse($"Domain Name: example.xy\nName Server: ns1.example.xy\n{key}: 2020-02-03\n");

        var expected = Utc(2020, 2, 3);
        Assert.Equal(field == "created" ? expected : null, record.Created);
        Assert.Equal(field == "updated" ? expected : null, record.Updated);
        Assert.Equal(field == "expires" ? expected : null, record.Expires);
    }

    // Registrar, name-server and domain keys no table knows, in other languages.
    [Theory]
    [InlineData("Registrador responsable", "Example Registrar", "registrar")] // Spanish
    [InlineData("Registrator", "Example Registrar", "registrar")]              // Nordic, transliterated Slavic
    [InlineData("DNS sunucuları", "ns1.example.xy", "nameservers")]             // Turkish
    [InlineData("Máy chủ tên miền", "ns1.example.xy", "nameservers")]           // Vietnamese
    [InlineData("Domínio", "example.xy", "domain")]                             // Portuguese
    [InlineData("Domänname", "example.xy", "domain")]                           // Swedish
    public void Reads_a_party_or_server_key_in_another_language_by_its_words(string key, string value, string field)
    {
        var record = WhoisParser.Parse($"Created: 2001-02-03\n{key}: {value}\n");

        Assert.Equal(WhoisStatus.Registered, record.Status);
        Assert.Equal(field == "registrar" ? value : null, record.Registrar);
        Assert.Equal(field == "nameservers" ? [value] : [], record.NameServers);
        Assert.Equal(field == "domain" ? value : null, record.Domain);
    }

    [Theory]
    [InlineData("N/A")]
    [InlineData("-")]
    [InlineData("(none)")]
    [InlineData("Not Disclosed")]
    public void A_placeholder_is_no_registrar_and_leaves_room_for_a_real_one(string placeholder)
    {
        var raw = $"Domain Name: example.xy\nRegistrar: {placeholder}\nName Server: n.a.\nCreated: 2001-02-03\n";

        var record = WhoisParser.Parse(raw);
        Assert.Null(record.Registrar);
        Assert.Empty(record.NameServers);
        Assert.Equal("Example Registrar", WhoisParser.Parse(raw + "Registrar Organization: Example Registrar\n").Registrar);
    }
}
