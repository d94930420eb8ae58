namespace HeavyJobs.Whois.Server;

/// <summary>An invented registrar with its own WHOIS server.</summary>
/// <param name="Name">Display name, as registries print it.</param>
/// <param name="Handle">Short upper-case tag (Nominet tag, RIPN registrar id prefix, registro .it name).</param>
/// <param name="IanaId">Invented IANA registrar id.</param>
/// <param name="WhoisServer">The registrar's WHOIS server name (a logical server of the local WHOIS server).</param>
/// <param name="Url">Web site.</param>
/// <param name="AbuseEmail">Abuse contact e-mail.</param>
/// <param name="AbusePhone">Abuse contact phone in ICANN +CC.NUMBER form.</param>
/// <param name="Country">ISO country of the registrar.</param>
/// <param name="Street">Street line of the postal address.</param>
/// <param name="City">City line (with postal code where the country writes it first).</param>
public sealed record SyntheticRegistrar(
    string Name,
    string Handle,
    int IanaId,
    string WhoisServer,
    string Url,
    string AbuseEmail,
    string AbusePhone,
    string Country,
    string Street,
    string City)
{
    /// <summary>How this registrar's WHOIS server writes its answers.</summary>
    internal RegistrarFlavor Flavor { get; init; } = RegistrarFlavor.Plain;
}

/// <summary>Date format of an ICANN registrar answer; registrars disagree on it, so parsers must accept them all.</summary>
internal enum RegistrarDateFormat
{
    /// <summary>2019-09-09T15:39:04Z</summary>
    Utc,

    /// <summary>2019-09-17T10:43:57.0Z</summary>
    UtcTenths,

    /// <summary>2018-09-25T13:18:21.00Z</summary>
    UtcHundredths,

    /// <summary>2019-09-09T08:39:04-0700 (US Pacific local time).</summary>
    PacificOffset,
}

/// <summary>How a "Domain Status:" value is written.</summary>
internal enum RegistrarStatusFormat
{
    /// <summary>clientTransferProhibited</summary>
    Bare,

    /// <summary>clientTransferProhibited https://icann.org/epp#clientTransferProhibited</summary>
    Url,

    /// <summary>clientTransferProhibited (https://www.icann.org/epp#clientTransferProhibited)</summary>
    ParenthesisedUrl,
}

/// <summary>What a registrar discloses about contacts.</summary>
internal enum RegistrarContactPolicy
{
    /// <summary>Organisation, state and country only (the GDPR minimum).</summary>
    Minimal,

    /// <summary>All fields present, personal ones as "REDACTED FOR PRIVACY".</summary>
    Redacted,

    /// <summary>All fields with (synthetic) values.</summary>
    Full,
}

/// <summary>The formatting quirks of one registrar's WHOIS server.</summary>
internal sealed record RegistrarFlavor(
    RegistrarDateFormat DateFormat,
    RegistrarStatusFormat StatusFormat,
    RegistrarContactPolicy Contacts,
    bool UpperCase,
    bool CrLf,
    bool Latin1)
{
    public static readonly RegistrarFlavor Plain = new(RegistrarDateFormat.Utc, RegistrarStatusFormat.Url, RegistrarContactPolicy.Redacted, false, false, false);
}
