namespace HeavyJobs.Whois.Client;

/// <summary>The raw answer of one WHOIS server to one query.</summary>
/// <param name="Domain">The domain that was asked about (as passed by the caller, before any server-specific query decoration).</param>
/// <param name="ServerName">The logical server name that answered, e.g. <c>whois.verisign-grs.com</c>.</param>
/// <param name="RawText">The decoded answer, line endings untouched.</param>
/// <param name="FetchedAt">When the answer was complete, from the client's <see cref="TimeProvider"/>.</param>
/// <param name="ByteCount">Bytes received on the wire.</param>
public sealed record WhoisAnswer(string Domain, string ServerName, string RawText, DateTimeOffset FetchedAt, int ByteCount);
