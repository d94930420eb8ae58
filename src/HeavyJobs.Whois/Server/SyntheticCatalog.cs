namespace HeavyJobs.Whois.Server;

/// <summary>
/// The fixed ingredients of synthetic domains. All registrar, provider and company names are invented; the
/// registry server names are the real ones so that the shipped server table routes to them unchanged.
/// Changing an entry changes every population built from it, so append rather than edit.
/// </summary>
internal static class SyntheticCatalog
{
    public static readonly IReadOnlyList<SyntheticTld> Tlds =
    [
        new("com", "whois.verisign-grs.com", WhoisRegistryStyle.Verisign, 30, null),
        new("net", "whois.verisign-grs.com", WhoisRegistryStyle.Verisign, 8, null),
        new("org", "whois.pir.org", WhoisRegistryStyle.Pir, 8, null),
        new("info", "whois.nic.info", WhoisRegistryStyle.IdentityDigital, 4, null),
        new("io", "whois.nic.io", WhoisRegistryStyle.IdentityDigital, 4, null),
        new("biz", "whois.nic.biz", WhoisRegistryStyle.GoDaddyRegistry, 2, null),
        new("de", "whois.denic.de", WhoisRegistryStyle.Denic, 8, "DE"),
        new("co.uk", "whois.nic.uk", WhoisRegistryStyle.Nominet, 6, "GB"),
        new("fr", "whois.nic.fr", WhoisRegistryStyle.Afnic, 4, "FR"),
        new("nl", "whois.domain-registry.nl", WhoisRegistryStyle.Sidn, 4, "NL"),
        new("jp", "whois.jprs.jp", WhoisRegistryStyle.Jprs, 3, "JP"),
        new("ru", "whois.tcinet.ru", WhoisRegistryStyle.Tci, 4, "RU"),
        new("com.br", "whois.registro.br", WhoisRegistryStyle.RegistroBr, 3, "BR"),
        new("com.au", "whois.auda.org.au", WhoisRegistryStyle.Auda, 3, "AU"),
        new("it", "whois.nic.it", WhoisRegistryStyle.NicIt, 3, "IT"),
        new("pl", "whois.dns.pl", WhoisRegistryStyle.Nask, 2, "PL"),
        new("se", "whois.iis.se", WhoisRegistryStyle.Iis, 2, "SE"),
        new("eu", "whois.eu", WhoisRegistryStyle.Eurid, 2, "BE"),
    ];

    private static readonly RegistrarFlavor _pacificParen = new(RegistrarDateFormat.PacificOffset, RegistrarStatusFormat.ParenthesisedUrl, RegistrarContactPolicy.Minimal, false, false, false);
    private static readonly RegistrarFlavor _upperCrLf = new(RegistrarDateFormat.Utc, RegistrarStatusFormat.Url, RegistrarContactPolicy.Minimal, true, true, false);
    private static readonly RegistrarFlavor _tenthsBare = new(RegistrarDateFormat.UtcTenths, RegistrarStatusFormat.Bare, RegistrarContactPolicy.Full, true, false, false);
    private static readonly RegistrarFlavor _hundredths = new(RegistrarDateFormat.UtcHundredths, RegistrarStatusFormat.Url, RegistrarContactPolicy.Full, false, false, false);
    private static readonly RegistrarFlavor _redactedCrLf = new(RegistrarDateFormat.Utc, RegistrarStatusFormat.Url, RegistrarContactPolicy.Redacted, false, true, false);
    private static readonly RegistrarFlavor _latin1 = new(RegistrarDateFormat.Utc, RegistrarStatusFormat.Url, RegistrarContactPolicy.Full, false, false, true);

    public static readonly IReadOnlyList<SyntheticRegistrar> Registrars =
    [
        new("Larkspur Names, Inc.", "LARKSPUR", 3901, "whois.larkspurnames.com", "http://www.larkspurnames.com", "abuse@larkspurnames.com", "+1.4155550101", "US", "500 Mission Street Suite 12", "San Francisco") { Flavor = _pacificParen },
        new("Copperline Registrar LLC", "COPPERLINE", 3902, "whois.copperline-registrar.com", "https://copperline-registrar.com", "abuse@copperline-registrar.com", "+1.6025550102", "US", "14455 N Hayden Rd", "Scottsdale") { Flavor = _upperCrLf },
        new("Northwind Domains Ltd", "NORTHWIND", 3903, "whois.northwinddomains.net", "https://www.northwinddomains.net", "abuse@northwinddomains.net", "+44.2075550103", "GB", "12 Wharf Road", "London") { Flavor = _redactedCrLf },
        new("Bluefjord Registry Services AS", "BLUEFJORD", 3904, "whois.bluefjord.no", "https://bluefjord.no", "abuse@bluefjord.no", "+47.22550104", "NO", "Akersgata 7", "0158 Oslo") { Flavor = RegistrarFlavor.Plain },
        new("Tessellate Domains SAS", "TESSELLATE", 3905, "whois.tessellate-domains.fr", "https://www.tessellate-domains.fr", "abuse@tessellate-domains.fr", "+33.155550105", "FR", "18 rue des Lilas", "75019 Paris") { Flavor = _hundredths },
        new("Harbourlight Internet Ltd", "HARBOURLIGHT", 3906, "whois.harbourlight.co.uk", "https://www.harbourlight.co.uk", "abuse@harbourlight.co.uk", "+44.1615550106", "GB", "3 Canal Street", "Manchester") { Flavor = _redactedCrLf },
        new("Kestrel Hosting GmbH", "KESTREL", 3907, "whois.kestrel-hosting.de", "https://www.kestrel-hosting.de", "abuse@kestrel-hosting.de", "+49.30555010", "DE", "Torstraße 140", "10119 Berlin") { Flavor = RegistrarFlavor.Plain },
        new("Quillon Domains B.V.", "QUILLON", 3908, "whois.quillon.nl", "https://www.quillon.nl", "abuse@quillon.nl", "+31.205550108", "NL", "Keizersgracht 300", "1016 EZ Amsterdam") { Flavor = _tenthsBare },
        new("Sakura Route K.K.", "SAKURAROUTE", 3909, "whois.sakuraroute.jp", "https://www.sakuraroute.jp", "abuse@sakuraroute.jp", "+81.355550109", "JP", "2-1-1 Nihonbashi", "Chuo-ku, Tokyo") { Flavor = _upperCrLf },
        new("Taiga Registrar LLC", "TAIGA", 3910, "whois.taiga-registrar.ru", "https://taiga-registrar.ru", "abuse@taiga-registrar.ru", "+7.4955550110", "RU", "ul. Tverskaya 9", "Moscow") { Flavor = RegistrarFlavor.Plain },
        new("Ipê Domínios Ltda", "IPEDOMINIOS", 3911, "whois.ipedominios.com.br", "https://www.ipedominios.com.br", "abuse@ipedominios.com.br", "+55.1155550111", "BR", "Av. Paulista 1000", "São Paulo") { Flavor = _hundredths },
        new("Wattle Names Pty Ltd", "WATTLE", 3912, "whois.wattlenames.com.au", "https://www.wattlenames.com.au", "abuse@wattlenames.com.au", "+61.395550112", "AU", "120 Collins Street", "Melbourne") { Flavor = RegistrarFlavor.Plain },
        new("Cimbro Registrar S.r.l.", "CIMBRO", 3913, "whois.cimbro.it", "https://www.cimbro.it", "abuse@cimbro.it", "+39.025550113", "IT", "Via Torino 21", "20123 Milano") { Flavor = _tenthsBare },
        new("Wisła Domeny sp. z o.o.", "WISLA", 3914, "whois.wisladomeny.pl", "https://wisladomeny.pl", "abuse@wisladomeny.pl", "+48.225550114", "PL", "ul. Marszałkowska 84", "00-514 Warszawa") { Flavor = RegistrarFlavor.Plain },
        new("Norrsken Domäner AB", "NORRSKEN", 3915, "whois.norrsken.se", "https://www.norrsken.se", "abuse@norrsken.se", "+46.85550115", "SE", "Götgatan 22", "118 46 Stockholm") { Flavor = _latin1 },
        new("Meridian Peak Registrar Corp.", "MERIDIANPEAK", 3916, "whois.meridianpeak.com", "https://www.meridianpeak.com", "abuse@meridianpeak.com", "+1.2065550116", "US", "1200 Western Ave", "Seattle") { Flavor = _pacificParen },
        new("Brightwater Domains LLC", "BRIGHTWATER", 3917, "whois.brightwaterdomains.com", "https://brightwaterdomains.com", "abuse@brightwaterdomains.com", "+1.5125550117", "US", "600 Congress Ave", "Austin") { Flavor = _hundredths },
        new("Oakridge Digital Registry Inc.", "OAKRIDGE", 3918, "whois.oakridgedigital.com", "https://www.oakridgedigital.com", "abuse@oakridgedigital.com", "+1.6175550118", "US", "75 State Street", "Boston") { Flavor = _upperCrLf },
        new("Saltmarsh Networks Ltd", "SALTMARSH", 3919, "whois.saltmarsh.net", "https://www.saltmarsh.net", "abuse@saltmarsh.net", "+353.15550119", "IE", "4 Grand Canal Quay", "Dublin 2") { Flavor = _redactedCrLf },
        new("Polaris Naming Co.", "POLARIS", 3920, "whois.polarisnaming.com", "https://www.polarisnaming.com", "abuse@polarisnaming.com", "+1.3125550120", "US", "233 S Wacker Dr", "Chicago") { Flavor = _tenthsBare },
    ];

    /// <summary>Cloudflare-like providers hand out two personal-name servers per zone.</summary>
    public static readonly IReadOnlyList<string> EmberEdgeNames =
        ["ada", "bruno", "cleo", "dario", "elsa", "felix", "greta", "hugo", "ines", "jonas", "kira", "leon", "mila", "nico", "olga", "pablo"];

    public static readonly IReadOnlyList<string> CumulusZones = ["com", "net", "org", "co.uk"];

    public static readonly IReadOnlyList<string> NumberedProviders =
        ["stratusdns.net", "parkfield-hosting.de", "quietpine.nl", "sakurahost.jp", "lumenhost.com", "dnsgarden.org"];

    public static readonly IReadOnlyList<string> Adjectives =
    [
        "Amber", "Bright", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper", "Kestrel", "Lumen",
        "Maple", "Nimbus", "Orchid", "Pioneer", "Quartz", "Riverside", "Summit", "Tidal", "Umber", "Violet", "Willow", "Zephyr",
    ];

    public static readonly IReadOnlyList<string> Nouns =
    [
        "Analytics", "Bakery", "Consulting", "Dynamics", "Engineering", "Foods", "Games", "Holdings", "Imports", "Labs",
        "Media", "Networks", "Outfitters", "Partners", "Robotics", "Studios", "Systems", "Travel", "Ventures", "Works",
    ];

    public static readonly IReadOnlyList<string> GivenNames =
        ["Alex", "Maria", "Jonas", "Yuki", "Olga", "Pedro", "Chloé", "Søren", "Aisha", "Liam", "Zofia", "Marco", "Elin", "Hiro"];

    public static readonly IReadOnlyList<string> FamilyNames =
        ["Smith", "Müller", "Dubois", "Tanaka", "Ivanova", "Silva", "Rossi", "Nowak", "Johansson", "de Vries", "O'Brien", "Kowalski"];

    /// <summary>Countries of registrants under generic TLDs, with their states where WHOIS shows them.</summary>
    public static readonly IReadOnlyList<string> GenericCountries =
        ["US", "US", "US", "US", "GB", "DE", "FR", "NL", "CA", "AU", "JP", "BR", "SE", "IT", "PL", "ES", "CH", "IN", "SG", "IE"];

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> States = new Dictionary<string, IReadOnlyList<string>>
    {
        ["US"] = ["CA", "NY", "TX", "WA", "MA", "IL", "FL", "CO"],
        ["CA"] = ["ON", "BC", "QC", "AB"],
        ["AU"] = ["NSW", "VIC", "QLD", "WA"],
        ["BR"] = ["SP", "RJ", "MG"],
    };

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Cities = new Dictionary<string, IReadOnlyList<string>>
    {
        ["US"] = ["Springfield", "Portland", "Austin", "Denver", "Albany"],
        ["GB"] = ["Leeds", "Bristol", "Glasgow", "Cardiff"],
        ["DE"] = ["München", "Köln", "Hamburg", "Leipzig"],
        ["FR"] = ["Lyon", "Nantes", "Lille", "Besançon"],
        ["NL"] = ["Utrecht", "Leiden", "Groningen"],
        ["JP"] = ["Osaka", "Sapporo", "Fukuoka"],
        ["RU"] = ["Kazan", "Novosibirsk", "Samara"],
        ["BR"] = ["Campinas", "Curitiba", "Recife"],
        ["AU"] = ["Sydney", "Brisbane", "Perth"],
        ["IT"] = ["Torino", "Bologna", "Napoli"],
        ["PL"] = ["Kraków", "Łódź", "Gdańsk"],
        ["SE"] = ["Göteborg", "Malmö", "Uppsala"],
        ["BE"] = ["Brussel", "Gent", "Liège"],
    };

    /// <summary>Legal-form suffixes by country; the first fits most companies.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> LegalForms = new Dictionary<string, IReadOnlyList<string>>
    {
        ["US"] = ["Inc.", "LLC", "Corp."],
        ["GB"] = ["Ltd", "LLP"],
        ["IE"] = ["Ltd", "DAC"],
        ["DE"] = ["GmbH", "AG", "GmbH & Co. KG"],
        ["FR"] = ["SAS", "SARL"],
        ["NL"] = ["B.V.", "N.V."],
        ["JP"] = ["K.K.", "G.K."],
        ["RU"] = ["LLC", "JSC"],
        ["BR"] = ["Ltda", "S.A."],
        ["AU"] = ["Pty Ltd"],
        ["IT"] = ["S.r.l.", "S.p.A."],
        ["PL"] = ["sp. z o.o.", "S.A."],
        ["SE"] = ["AB"],
        ["BE"] = ["BV", "NV"],
        ["CH"] = ["AG", "GmbH"],
        ["ES"] = ["S.L.", "S.A."],
    };

    /// <summary>Occasional local company names, so that answers carry letters beyond ASCII like real ones do.</summary>
    public static readonly IReadOnlyDictionary<string, string> LocalNames = new Dictionary<string, string>
    {
        ["DE"] = "Gärtnerei Lindenhöhe",
        ["FR"] = "Boulangerie Étoile du Matin",
        ["SE"] = "Fjällbackens Snickeri",
        ["PL"] = "Zakład Stolarski Źródło",
        ["BR"] = "Padaria São João",
        ["IT"] = "Caffè Perù",
        ["NL"] = "Bakkerij 't Hoekje",
        ["ES"] = "Panadería Añil",
        ["BE"] = "Brasserie Liégeoise",
    };
}
