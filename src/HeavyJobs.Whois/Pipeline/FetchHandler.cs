using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Whois.Client;

namespace HeavyJobs.Whois.Pipeline;

/// <summary>
/// Fetches the WHOIS answers of a batch of domains, politely: every query waits for a turn at its server under
/// a rate limit and concurrency cap that hold across the whole fleet. Many queries are in flight at once, each
/// waiting only for its own server's turn (<see cref="FetchLanes"/>), so a slow or hanging server holds back
/// its own domains and no others. Raw answers are stored compressed with server and time; each checkpoint
/// commits the domains fetched since the last one, in whatever order they finished (<see cref="FetchProgress"/>),
/// and emits a parse chunk for them.
/// </summary>
/// <remarks>
/// Parameters: serverTable (the client's table as JSON), ratePerServer (default 4/s), concurrencyPerServer (2),
/// every (10), pushBackPauseMs (2000: how long the whole fleet leaves a server alone after it says the limit
/// is exceeded; then its starts are spaced twice as far apart for a minute), maxInFlight (64: this fetcher's
/// queries in flight at once over all servers), readTimeoutMs (10000). See <see cref="FetchOptions"/>.
/// </remarks>
public sealed class FetchHandler : IChunkHandler
{
    /// <summary>Tries per domain when its server says the limit is exceeded, before the domain is recorded as failed.</summary>
    public const int RateLimitedTries = 4;

    /// <summary>Domains fetched but not yet committed wait at most this long for a checkpoint.</summary>
    public static readonly TimeSpan CheckpointAfter = TimeSpan.FromSeconds(1);

    private static readonly ConcurrentDictionary<string, WhoisServerTable> Tables = new();

    // How wide each server's lane grew in this process's earlier chunks: a chunk starts there, not at one.
    private static readonly ConcurrentDictionary<string, int> LaneWidths = new(StringComparer.OrdinalIgnoreCase);

    private readonly TimeProvider _time = TimeProvider.System;

    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var keys = context.Input.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToList();
        var progress = FetchProgress.Parse(context.Cursor, keys.Count);
        if (progress.AllDone)
        {
            // Run again after its last checkpoint (stopped, or dead before the completion landed).
            return;
        }

        var options = FetchOptions.From(context.Parameters);
        var table = context.Parameters.TryGetProperty("serverTable", out var t) ? await TableAsync(t.GetRawText(), cancellationToken) : WhoisServerTable.Default;
        var limit = new ResourceLimit(options.RatePerServer, options.ConcurrencyPerServer, TimeSpan.FromMinutes(1));
        var clientOptions = new WhoisClientOptions { ConnectTimeout = TimeSpan.FromSeconds(5), ReadTimeout = options.ReadTimeout, MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(200) };
        var client = new WhoisClient(table, clientOptions, new FleetPoliteness(context, limit, options.PushBackPause, _time), _time);
        var lanes = new FetchLanes(options.MaxInFlight, options.ConcurrencyPerServer, LaneWidths);
        for (var i = 0; i < keys.Count; i++)
        {
            if (!progress.IsDone(i))
                lanes.Add(ServerOf(table, keys[i]), i);
        }

        await new FetchRun(context, client, keys, progress, lanes, options.Every, _time).RunAsync(cancellationToken);
    }

    /// <summary>The lane a domain waits in: its registry server (a domain without one fails at once, in a lane of its own).</summary>
    private static string ServerOf(WhoisServerTable table, string domain)
    {
        try
        {
            return table.FindServerForDomain(domain.Trim().TrimEnd('.')) ?? "";
        }
        catch (ArgumentException)
        {
            return "";
        }
    }

    internal static async Task<(bool Ok, string Json)> FetchAsync(WhoisClient client, string domain, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await client.LookupAsync(domain, cancellationToken);
                var final = result.Final;
                var answer = new FetchedAnswerOutput(
                    domain, final.ServerName, result.Registry.ServerName, final.FetchedAt, Compress(final.RawText),
                    result.ReferralFailure?.Error.Message);
                return (true, JsonSerializer.Serialize(answer, PipelineJsonContext.Default.FetchedAnswerOutput));
            }
            catch (WhoisRateLimitedException) when (attempt < RateLimitedTries)
            {
                // The politeness already paused and slowed the whole fleet at that server; the next try waits its turn.
            }
            catch (WhoisException ex)
            {
                var kind = ex.GetType().Name.Replace("Whois", "", StringComparison.Ordinal).Replace("Exception", "", StringComparison.Ordinal);
                var failure = new FetchFailureOutput(domain, $"fetch failed: {kind}: {ex.Message}");
                return (false, JsonSerializer.Serialize(failure, PipelineJsonContext.Default.FetchFailureOutput));
            }
        }
    }

    public static string Compress(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return Convert.ToBase64String(buffer.ToArray());
    }

    public static string Decompress(string base64)
    {
        using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(base64)), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static async Task<WhoisServerTable> TableAsync(string json, CancellationToken cancellationToken)
    {
        if (Tables.TryGetValue(json, out var cached))
        {
            return cached;
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return Tables[json] = await WhoisServerTable.LoadJsonAsync(stream, cancellationToken);
    }
}
