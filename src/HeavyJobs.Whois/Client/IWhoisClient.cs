namespace HeavyJobs.Whois.Client;

/// <summary>Looks domains up over WHOIS (RFC 3912).</summary>
public interface IWhoisClient
{
    /// <summary>
    /// Queries the registry server of the domain's suffix and, when its answer names another WHOIS server,
    /// that server too.
    /// </summary>
    /// <exception cref="WhoisNoServerException">No registry server is known for the suffix.</exception>
    /// <exception cref="WhoisRateLimitedException">The registry refused the query for its rate limit.</exception>
    /// <exception cref="WhoisConnectionException">The registry could not be reached, after retries.</exception>
    /// <exception cref="WhoisAnswerTooLargeException">The registry answer exceeded the size limit.</exception>
    Task<WhoisLookupResult> LookupAsync(string domain, CancellationToken cancellationToken);

    /// <summary>Sends one query to one named server, with politeness, retries and rate-limit recognition.</summary>
    Task<WhoisAnswer> QueryAsync(string serverName, string domain, CancellationToken cancellationToken);
}
