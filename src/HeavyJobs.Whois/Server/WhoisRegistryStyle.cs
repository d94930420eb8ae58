namespace HeavyJobs.Whois.Server;

/// <summary>The answer format of a registry WHOIS server, named after the registry whose format it copies.</summary>
public enum WhoisRegistryStyle
{
    /// <summary>Verisign thin registry (.com, .net): indented ICANN fields, CRLF, registrar referral.</summary>
    Verisign,

    /// <summary>Public Interest Registry (.org): thick ICANN registry answer with redacted contacts.</summary>
    Pir,

    /// <summary>Identity Digital (.info, .io): thick ICANN registry answer.</summary>
    IdentityDigital,

    /// <summary>GoDaddy Registry (.biz): ICANN minimum data set, CRLF, "No Data Found".</summary>
    GoDaddyRegistry,

    /// <summary>DENIC (.de): a handful of "Key: value" lines.</summary>
    Denic,

    /// <summary>Nominet (.uk): indented sections, CRLF.</summary>
    Nominet,

    /// <summary>AFNIC (.fr): RPSL-like objects after a "%%" banner.</summary>
    Afnic,

    /// <summary>SIDN (.nl): sections, CRLF, "is free".</summary>
    Sidn,

    /// <summary>JPRS (.jp): bracketed labels, English variant (query suffix /e).</summary>
    Jprs,

    /// <summary>TCI / RIPN (.ru): RPSL-like, upper-case domain, name servers with trailing dot.</summary>
    Tci,

    /// <summary>Registro.br (.br): RPSL-like with nic-hdl-br contacts, compact yyyyMMdd dates.</summary>
    RegistroBr,

    /// <summary>auDA (.au): ICANN-like keys of its own, CRLF, "NOT FOUND".</summary>
    Auda,

    /// <summary>Registro .it: asterisk banner, indented sections.</summary>
    NicIt,

    /// <summary>NASK (.pl): padded keys, dotted dates, CRLF.</summary>
    Nask,

    /// <summary>Internetstiftelsen (.se): "#" banner, lower-case keys.</summary>
    Iis,

    /// <summary>EURid (.eu): "%" banner, indented sections, registrant never disclosed.</summary>
    Eurid,
}
