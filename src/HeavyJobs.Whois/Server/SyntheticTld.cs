namespace HeavyJobs.Whois.Server;

/// <summary>A suffix of the synthetic population and the registry that answers for it.</summary>
/// <param name="Suffix">The registrable suffix, e.g. <c>com</c> or <c>co.uk</c>.</param>
/// <param name="RegistryServer">The registry WHOIS server name (the real one, so server tables need no special entries).</param>
/// <param name="Style">The registry's answer format.</param>
/// <param name="Weight">Relative share of the population.</param>
/// <param name="Country">ISO country of most registrants under a ccTLD; null for generic TLDs.</param>
public sealed record SyntheticTld(string Suffix, string RegistryServer, WhoisRegistryStyle Style, int Weight, string? Country)
{
    /// <summary>Whether the registry answer names the registrar's WHOIS server (ICANN-governed suffixes).</summary>
    public bool HasRegistrarReferral => Style is WhoisRegistryStyle.Verisign or WhoisRegistryStyle.Pir
        or WhoisRegistryStyle.IdentityDigital or WhoisRegistryStyle.GoDaddyRegistry;
}
