namespace HeavyJobs.Whois.Tests.Parsing;

/// <summary>What a registry layout's answer must yield.</summary>
public sealed record WhoisLayoutCase(
    string Raw,
    string? Domain,
    string? Registrar,
    DateTimeOffset? Created,
    DateTimeOffset? Updated,
    DateTimeOffset? Expires,
    string[] NameServers,
    string? RegistrantOrganization = null);

/// <summary>Answers written from the layouts registries document, one per layout, with made-up data.</summary>
public static class WhoisRegistryLayoutCases
{
    public static readonly IReadOnlyDictionary<string, WhoisLayoutCase> All = new Dictionary<string, WhoisLayoutCase>
    {
        // JANET: every value on the line under its key, weekday dates with ordinals, "Servers" with addresses.
        ["ac.uk"] = new(
            """
            Domain:
            	example.ac.uk

            Registered For:
            	University of Example

            Domain Owner:
            	University of Example

            Registered By:
            	Example Services Limited

            Servers:
            	ns0.example.ac.uk	192.0.2.1
            	ns1.example.ac.uk	192.0.2.2

            Registrant Address:
            	1 Example Street
            	Exampletown

            Renewal date:
            	Friday 21st Jun 2030

            Entry updated:
            	Wednesday 6th March 2024

            Entry created:
            	Monday 16th October 2000

            """,
            "example.ac.uk", "Example Services Limited", Utc(2000, 10, 16), Utc(2024, 3, 6), Utc(2030, 6, 21),
            ["ns0.example.ac.uk", "ns1.example.ac.uk"]),

        // .kg: the domain in a sentence, ctime dates, a titled list of servers with addresses.
        ["kg"] = new(
            """
            % This is the .kg ccTLD Whois server

            Domain EXAMPLE.KG

            Administrative Contact:
               PID: 1234-KG
               Name: Example Admin
               Email: admin@example.kg

            Record created: Wed Feb 11 19:56:08 2004
            Record last updated on:  Sun Jan 21 06:26:30 2024
            Record expires on: Sat Mar 29 23:59:00 2025

            Name servers in the listed order:

            NS1.EXAMPLE.KG 192.0.2.10
            NS2.EXAMPLE.NET

            """,
            "example.kg", null, Utc(2004, 2, 11, 19, 56, 8), Utc(2024, 1, 21, 6, 26, 30), Utc(2025, 3, 29, 23, 59, 0),
            ["ns1.example.kg", "ns2.example.net"]),

        // .tn: dot-padded keys, "GMT+1" stamps, servers as "Name" lines under "dns servers".
        ["tn"] = new(
            """
            NIC Whois server for cTLDs : .tn
            All rights reserved

            Domain name.........: example.com.tn
            Details:
            Creation date.......: 26-05-2009 00:00:00 GMT+1
            Domain status.......: Active
            Registrar...........: Example Registrar SARL

            Owner Contact
            Name................: Example SA
            Address.............: 1 Rue Exemple, Tunis

            dns servers
            Name................: ns1.example.com.tn.
            IPv4................: 192.0.2.1
            Name................: ns2.example.net.

            """,
            "example.com.tn", "Example Registrar SARL", Utc(2009, 5, 25, 23, 0, 0), null, null,
            ["ns1.example.com.tn", "ns2.example.net"], "Example SA"),

        // DNS.PT today: "Owner ..." fields, day-first slashed dates, "| IPv4:" after each server.
        ["pt"] = new(
            """
            Domain: example.pt
            Domain Status: Registered
            Creation Date: 09/12/2002 00:00:00
            Expiration Date: 28/02/2030 23:59:00
            Owner Name: Example, Lda
            Owner Address: Rua Exemplo 1
            Owner Country Code: PT
            Admin Name: Example Admin
            Name Server: ns1.example.pt | IPv4: 192.0.2.1 and IPv6:
            Name Server: ns2.example.net | IPv4:  and IPv6:

            """,
            "example.pt", null, Utc(2002, 12, 9), null, Utc(2030, 2, 28, 23, 59, 0),
            ["ns1.example.pt", "ns2.example.net"], "Example, Lda"),

        // DNS.PT before: bilingual keys with a format note, zone-file style server lines.
        ["pt-bilingual"] = new(
            """
            Nome de domínio / Domain Name: example.pt
            Data de registo / Creation Date (dd/mm/yyyy): 09/12/2002
            Data de expiração / Expiration Date (dd/mm/yyyy): 28/02/2030
            Estado / Status: ACTIVE

            Titular / Registrant
                 Example, Lda
                 Rua Exemplo 1

            Nameserver Information

                 Nameserver: example.pt NS ns1.example.pt.
                 Nameserver: example.pt NS ns2.example.net.

            """,
            "example.pt", null, Utc(2002, 12, 9), null, Utc(2030, 2, 28),
            ["ns1.example.pt", "ns2.example.net"], "Example, Lda"),

        // ISOC-IL: RIPE-like objects, "validity" for the expiry, the creation inside a "changed" line.
        ["il"] = new(
            """
            % The data in the WHOIS database of the .il registry is provided for information purposes only

            query:        example.co.il

            reg-name:     example
            domain:       example.co.il

            descr:        Example Israel Ltd
            e-mail:       hostmaster AT example.co.il
            admin-c:      EX-1234-IL
            nserver:      ns1.example.co.il
            nserver:      ns2.example.net
            validity:     10-05-2030
            DNSSEC:       unsigned
            status:       Transfer Locked
            changed:      domain-registrar AT registry.example.il 19990420 (Assigned)
            changed:      domain-registrar AT registry.example.il 20230721 (Changed)

            person:       Example Hostmaster
            nic-hdl:      EX-1234-IL
            changed:      domain-registrar AT registry.example.il 20200101 (Changed)

            registrar name: Example Registrar Ltd
            registrar info: https://registrar.example.il

            """,
            "example.co.il", "Example Registrar Ltd", Utc(1999, 4, 20), Utc(2023, 7, 21), Utc(2030, 5, 10),
            ["ns1.example.co.il", "ns2.example.net"]),

        // MYNIC: lettered keys in brackets without JPRS's dot, lower-case month abbreviations.
        ["my"] = new(
            """
            Welcome to .my DOMAIN NAME REGISTRY

            a [Domain Name]               EXAMPLE.COM.MY
            c [Organization Name]         Example Sdn Bhd
            d [Organization Address]      1 Jalan Contoh
            p [Record Created]            16-nov-1999
            q [Record Expired]            16-nov-2030
            r [Record Last Modified]      01-jan-2024
            s [Primary Name Server]       ns1.example.com.my 192.0.2.1
            t [Secondary Name Server]     ns2.example.net

            """,
            "example.com.my", null, Utc(1999, 11, 16), Utc(2024, 1, 1), Utc(2030, 11, 16),
            ["ns1.example.com.my", "ns2.example.net"], "Example Sdn Bhd"),

        // NIC Chile: Chilean summer and winter time stamps.
        ["cl"] = new(
            """
            %%
            %% This is the NIC Chile Whois server (whois.nic.cl).
            %%

            Domain name: example.cl
            Registrant name: Example SpA
            Registrar name: Example Registrar Ltda.
            Registrar URL: https://registrar.example.cl
            Creation date: 2002-10-22 17:48:23 CLST
            Expiration date: 2030-11-20 14:48:02 CLT
            Name server: ns1.example.cl
            Name server: ns2.example.net

            """,
            "example.cl", "Example Registrar Ltda.", Utc(2002, 10, 22, 20, 48, 23), null, Utc(2030, 11, 20, 18, 48, 2),
            ["ns1.example.cl", "ns2.example.net"]),

        // NIC Venezuela: Spanish keys, a titled list of servers with dashes.
        ["ve"] = new(
            """
            Servidor Whois de NIC-Venezuela (.VE)

            Titular:
            Example C.A.             hostmaster@example.com.ve
               Av. Principal
               Caracas, Distrito Capital  VE

               Nombre de Dominio: example.com.ve

               Contacto Administrativo:
                  Example C.A.        hostmaster@example.com.ve

               Fecha de Vencimiento: 2030-03-20 00:00:00
               Ultima Actualización: 2023-11-17 21:25:46
               Fecha de Creación: 2002-03-19 00:00:00

               Estatus del dominio: ACTIVO

               Servidor(es) de Nombres de Dominio:

               - ns1.example.com.ve
               - ns2.example.net

            """,
            "example.com.ve", null, Utc(2002, 3, 19), Utc(2023, 11, 17, 21, 25, 46), Utc(2030, 3, 20),
            ["ns1.example.com.ve", "ns2.example.net"]),

        // NIC Bolivia: upper-case Spanish keys, no name servers.
        ["bo"] = new(
            """
            whois.nic.bo solo acepta consultas con dominios .bo

            NOMBRE DE DOMINIO: example.com.bo
            FECHA DE REGISTRO: 2007-01-11
            FECHA DE VENCIMIENTO: 2030-02-28

            TITULAR: Example S.R.L.
            NOMBRE DEL CONTACTO: Example Admin

            """,
            "example.com.bo", null, Utc(2007, 1, 11), null, Utc(2030, 2, 28), [], "Example S.R.L."),

        // JPRS queried without "/e": Japanese keys, JST stamps.
        ["jp-japanese"] = new(
            """
            [ JPRS database provides information on network administration. ]

            [ドメイン名]                    EXAMPLE.JP
            [登録者名]                      株式会社エグザンプル
            [ネームサーバ]                  ns1.example.jp
            [ネームサーバ]                  ns2.example.jp
            [登録年月日]                    2001/03/22
            [有効期限]                      2030/03/31
            [状態]                          Active
            [最終更新]                      2024/04/01 01:05:22 (JST)

            """,
            "example.jp", null, Utc(2001, 3, 22), Utc(2024, 3, 31, 16, 5, 22), Utc(2030, 3, 31),
            ["ns1.example.jp", "ns2.example.jp"], "株式会社エグザンプル"),

        // The older .ai layout: dot-padded long keys, servers as "Server Hostname" under "Nameservers".
        ["ai-old"] = new(
            """
            DOMAIN INFORMATION

            Complete Domain Name........: example.ai
            Owner.......................: Example Ltd

            Nameservers
            Server Hostname.............: ns1.example.ai
            Server Hostname.............: ns2.example.net

            """,
            "example.ai", null, null, null, null, ["ns1.example.ai", "ns2.example.net"], "Example Ltd"),

        // The older SK-NIC table: hyphenated keys aligned with spaces.
        ["sk-old"] = new(
            """
            Domain-name                   example.sk
            Admin-id                      EXAMPLE-0001
            Admin-name                    Example s.r.o.
            Admin-org.-ID                 12345678
            Tech-id                       EXAMPLE-0002
            Dns-name                      ns1.example.sk
            Dns-IPv4                      192.0.2.1
            Dns-name                      ns2.example.net
            Last-update                   2023-04-10
            Valid-date                    2030-05-11
            Domain-status                 DOM_OK

            """,
            "example.sk", null, null, Utc(2023, 4, 10), Utc(2030, 5, 11), ["ns1.example.sk", "ns2.example.net"]),

        // .tr: keys marked with "**", tab-aligned colons, "yyyy-Mon-dd." dates.
        ["tr"] = new(
            """
            ** Domain Name: example.com.tr
            Frozen Status: -
            Transfer Status: The domain is LOCKED to transfer.

            ** Registrant:
               Example A.S.
               Istanbul

            ** Registrar:
            NIC Handle		: exa1-metu
            Organization Name	: Example Registrar A.S.

            ** Domain Servers:
            ns1.example.com.tr
            ns2.example.net

            ** Additional Info:
            Created on..............: 2000-Jan-05.
            Expires on..............: 2030-Jan-04.

            """,
            "example.com.tr", "Example Registrar A.S.", Utc(2000, 1, 5), null, Utc(2030, 1, 4),
            ["ns1.example.com.tr", "ns2.example.net"], "Example A.S."),

        // THNIC: "Exp date", day-first dates with month names, holder fields.
        ["th"] = new(
            """
            Domain Name:                EXAMPLE.CO.TH
            Registrar:                  Example Registrar Co., Ltd.
            Name Server:                NS1.EXAMPLE.CO.TH
            Name Server:                NS2.EXAMPLE.NET
            Status:                     ACTIVE
            Updated date:               22 Jul 2023
            Created date:               05 Aug 2004
            Exp date:                   04 Aug 2030
            Domain Holder Organization: Example Co., Ltd.
            Domain Holder Country:      TH

            """,
            "example.co.th", "Example Registrar Co., Ltd.", Utc(2004, 8, 5), Utc(2023, 7, 22), Utc(2030, 8, 4),
            ["ns1.example.co.th", "ns2.example.net"], "Example Co., Ltd."),

        // .im: the registrar under "Domain Managers", the expiry on the line under its title.
        ["im"] = new(
            """
            Domain Name: example.im
            Domain Managers
            Name: Example Registrar Ltd
            Address
            1 Example Road

            Domain Owners / Registrant
            Name: Example Ltd

            Expiry Date
            01/02/2030 00:00:00

            Name Server:ns1.example.im.
            Name Server:ns2.example.net.

            """,
            "example.im", "Example Registrar Ltd", null, null, Utc(2030, 2, 1), ["ns1.example.im", "ns2.example.net"], "Example Ltd"),

        // .fj: no domain line at all, the other fields still make the record.
        ["fj"] = new(
            """
            Status: unavailable
            Expires: 2030-01-31

            Registrant:
            Example Pte Ltd

            Domain servers:
            ns1.example.com.fj
            ns2.example.net

            """,
            null, null, null, null, Utc(2030, 1, 31), ["ns1.example.com.fj", "ns2.example.net"], "Example Pte Ltd"),

        // French keys (.sn, .dz and other francophone registries).
        ["french"] = new(
            """
            Nom de domaine:           example.sn
            Date de création:         2010-06-01T10:00:00Z
            Dernière modification:    2023-06-01T10:00:00Z
            Date d'expiration:        2030-06-01T10:00:00Z
            Statut:                   actif
            Titulaire:                Example SARL
            Registrar:                Example Bureau
            Serveurs de noms:         ns1.example.sn
            Serveurs de noms:         ns2.example.net

            """,
            "example.sn", "Example Bureau", Utc(2010, 6, 1, 10, 0, 0), Utc(2023, 6, 1, 10, 0, 0), Utc(2030, 6, 1, 10, 0, 0),
            ["ns1.example.sn", "ns2.example.net"], "Example SARL"),

        // KISA's Korean part, dates written "2007. 03. 02.".
        ["kr-korean"] = new(
            """
            query : example.kr

            도메인이름                  : example.kr
            등록인                      : 주식회사 예시
            등록대행자                  : 예시 주식회사(https://registrar.example.kr)
            등록일                      : 2007. 03. 02.
            최근 정보 변경일            : 2023. 01. 10.
            사용 종료일                 : 2030. 03. 02.

            """,
            "example.kr", "예시 주식회사(https://registrar.example.kr)", Utc(2007, 3, 2), Utc(2023, 1, 10), Utc(2030, 3, 2), []),

        // Chinese registrars: Chinese keys after full-width colons.
        ["zh-registrar"] = new(
            """
            域名：example.cn
            注册商：示例网络有限公司
            创建时间：2003-03-17 12:20:05
            过期时间：2030-03-17 12:48:36
            域名服务器：ns1.example.cn
            域名服务器：ns2.example.net
            域名状态：clientTransferProhibited

            """,
            "example.cn", "示例网络有限公司", Utc(2003, 3, 17, 12, 20, 5), null, Utc(2030, 3, 17, 12, 48, 36),
            ["ns1.example.cn", "ns2.example.net"]),

        // A table aligned with spaces, no colons or tabs.
        ["space-aligned table"] = new(
            """
            Domain Name         example.ps
            Registrar           Example Registrar
            Creation Date       2015-06-01
            Expiration Date     2030-06-01
            Name Server         ns1.example.ps
            Name Server         ns2.example.net

            """,
            "example.ps", "Example Registrar", Utc(2015, 6, 1), null, Utc(2030, 6, 1), ["ns1.example.ps", "ns2.example.net"]),
    };

    private static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);
}
