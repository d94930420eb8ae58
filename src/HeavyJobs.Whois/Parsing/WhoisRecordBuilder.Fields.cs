namespace HeavyJobs.Whois.Parsing;

// Values whose key the answer does not give as "key: value": a table's columns and guessed keys.
internal sealed partial class WhoisRecordBuilder
{
    /// <summary>
    /// A value whose key a layout gave by position (a table's column) or a guess (<paramref name="guessed"/>):
    /// the key's own field at <paramref name="priority"/>. A guessed status is left out: a guess at a status key
    /// is too weak to say whether the domain is held.
    /// </summary>
    public void SetField(WhoisKey key, ReadOnlySpan<char> value, int priority, bool guessed)
    {
        switch (key)
        {
            case WhoisKey.Domain when StartsWithHostName(value):
                SetDomain(value, priority);
                break;
            case WhoisKey.Registrar:
                SetRegistrar(value, priority);
                break;
            case WhoisKey.Created or WhoisKey.Updated or WhoisKey.Expires:
                SetDate(key, value, priority, guessed);
                break;
            case WhoisKey.NameServer:
                AddNameServers(value, weak: guessed, guessed: guessed);
                break;
            case WhoisKey.DomainStatus or WhoisKey.Status when !guessed:
                AddStatuses(value);
                break;
        }
    }
}
