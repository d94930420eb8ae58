namespace HeavyJobs.Whois.Parsing;

/// <summary>What a key in an answer stands for.</summary>
internal enum WhoisKey : byte
{
    None,
    Domain,
    Registrar,
    Created,
    Updated,
    Expires,
    NameServer,

    /// <summary>"DNS:" lists name servers in .rs but the domain itself in .dk, so it only counts when nothing better is there.</summary>
    WeakNameServer,

    /// <summary>"Hostname" is a name server only inside a name-server section.</summary>
    HostName,

    /// <summary>"Domain Status": always the domain's.</summary>
    DomainStatus,

    /// <summary>"status", "state": the domain's unless inside a contact block (.kz and .tk "State: CA" is an address).</summary>
    Status,
    RegistrantOrganization,
    RegistrantCountry,

    /// <summary>"registrant", "owner": the organisation, or the handle of a contact object further down (.at).</summary>
    Registrant,

    /// <summary>"holder-c", "owner-c", "holder": the handle of the registrant's contact object.</summary>
    RegistrantHandle,

    /// <summary>"nic-hdl": starts a RIPE-style contact object, the registrant's when the handle matches.</summary>
    ContactHandle,

    // Keys whose meaning depends on the section they sit in ("name" under "Registrar:" is the registrar).
    Name,
    Organization,
    Country,
}

/// <summary>The part of an answer a line belongs to, set by headers such as "Registrar:" or "Name servers".</summary>
internal enum WhoisSection : byte
{
    None,
    Domain,
    Registrar,
    Registrant,
    OtherContact,
    NameServers,
    Status,

    /// <summary>The server speaking of itself ("[Whois]", "Disclaimer"): its dates are not the domain's.</summary>
    Meta,
    Other,
}
