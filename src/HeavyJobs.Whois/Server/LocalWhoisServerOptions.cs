using System.Net;

namespace HeavyJobs.Whois.Server;

/// <summary>Configuration of <see cref="LocalWhoisServer"/>.</summary>
public sealed record LocalWhoisServerOptions
{
    /// <summary>Address to listen on. Loopback by default: the server is for demos and tests, never the network.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>
    /// 0 (default) gives every logical server an ephemeral port. Otherwise logical servers get consecutive ports
    /// from here, in the order of <see cref="LocalWhoisServer.ServerNames"/> (registries, then registrars, each sorted),
    /// so a demo can use stable port numbers.
    /// </summary>
    public int BasePort { get; init; }

    /// <summary>Faults of every logical server not listed in <see cref="ServerFaults"/>.</summary>
    public WhoisFaultOptions Faults { get; init; } = WhoisFaultOptions.None;

    /// <summary>Faults per logical server name (e.g. <c>whois.verisign-grs.com</c>), replacing <see cref="Faults"/> for it.</summary>
    public IReadOnlyDictionary<string, WhoisFaultOptions> ServerFaults { get; init; } =
        new Dictionary<string, WhoisFaultOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Seed of fault decisions. With a seed, the n-th request to a given logical server always meets the same fate
    /// (sequential clients see a repeatable run); without, faults are random.
    /// </summary>
    public long? FaultSeed { get; init; }

    /// <summary>Time a client has to send its query line before the connection is dropped.</summary>
    public TimeSpan QueryReadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest query line accepted, in bytes.</summary>
    public int MaxQueryBytes { get; init; } = 1024;

    /// <summary>
    /// Keeps every request (default) for <see cref="LocalWhoisServer.RequestsTo"/> and <see cref="LocalWhoisServer.AllRequests"/>.
    /// Off, only counts and the busiest one-second window are kept: a refresh of millions of domains would
    /// otherwise hold every query it made in memory.
    /// </summary>
    public bool RecordRequests { get; init; } = true;
}
