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
/// a rate limit and concurrency cap that hold across the whole fleet. Raw answers are stored compressed with
/// server and time; each checkpoint emits a parse chunk for the domains it committed.
/// </summary>
/// <remarks>
/// Parameters: serverTable (the client's table as JSON), ratePerServer (default 4/s), concurrencyPerServer (2),
/// every (10), pushBackPauseMs (2000: how long the whole fleet leaves a server alone after it says the limit
/// is exceeded; then its starts are spaced twice as far apart for a minute).
/// </remarks>
public sealed class FetchHandler : IChunkHandler
{
    /// <summary>Tries per domain when its server says the limit is exceeded, before the domain is recorded as failed.</summary>
    public const int RateLimitedTries = 4;

    private static readonly ConcurrentDictionary<string, WhoisServerTable> Tables = new();

    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var keys = context.Input.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToList();
        var p = context.Parameters;
        var rate = p.TryGetProperty("ratePerServer", out var r) ? r.GetDouble() : 4;
        var concurrency = p.TryGetProperty("concurrencyPerServer", out var c) ? c.GetInt32() : 2;
        var every = p.TryGetProperty("every", out var e) ? e.GetInt32() : 10;
        var table = p.TryGetProperty("serverTable", out var t) ? await TableAsync(t.GetRawText(), cancellationToken) : WhoisServerTable.Default;
        var limit = new ResourceLimit(rate, concurrency, TimeSpan.FromMinutes(1));
        var pause = TimeSpan.FromMilliseconds(p.TryGetProperty("pushBackPauseMs", out var pb) ? pb.GetInt32() : 2000);
        var client = new WhoisClient(table, new WhoisClientOptions { ConnectTimeout = TimeSpan.FromSeconds(5), ReadTimeout = TimeSpan.FromSeconds(10), MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(200) }, new FleetPoliteness(context, limit, pause));
        var next = context.Cursor is { } cursor ? int.Parse(cursor, CultureInfo.InvariantCulture) : 0;
        var batch = new List<string>();
        while (next < keys.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var domain = keys[next];
            var fetched = await FetchAsync(client, domain, cancellationToken);
            context.Output(domain, fetched.Json);

            context.Add(1, good: fetched.Ok ? 1 : 0, bad: fetched.Ok ? 0 : 1);
            batch.Add(domain);
            next++;
            if (batch.Count >= every || next == keys.Count)
            {
                context.Emit(new EmittedChunk(context.Stage + 1, WhoisPipeline.Parse, JsonSerializer.Serialize(new { fetchChunk = context.ChunkId, domains = batch }), $"parse:{context.ChunkId}:{next - batch.Count}"));
                await context.CheckpointAsync(next.ToString(CultureInfo.InvariantCulture), cancellationToken);
                batch.Clear();
            }
        }
    }

    private static async Task<(bool Ok, string Json)> FetchAsync(WhoisClient client, string domain, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await client.LookupAsync(domain, cancellationToken);
                var final = result.Final;
                return (true, JsonSerializer.Serialize(new
                {
                    domain,
                    server = final.ServerName,
                    registry = result.Registry.ServerName,
                    fetchedAt = final.FetchedAt,
                    raw = Compress(final.RawText),
                    referralError = result.ReferralFailure?.Error.Message,
                }));
            }
            catch (WhoisRateLimitedException) when (attempt < RateLimitedTries)
            {
                // The politeness already paused and slowed the whole fleet at that server; the next try waits its turn.
            }
            catch (WhoisException ex)
            {
                return (false, JsonSerializer.Serialize(new { domain, error = $"fetch failed: {ex.GetType().Name.Replace("Whois", "", StringComparison.Ordinal).Replace("Exception", "", StringComparison.Ordinal)}: {ex.Message}" }));
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

    /// <summary>The client's politeness seam, backed by the fleet-wide limit the runtime keeps in the store.</summary>
    private sealed class FleetPoliteness(IChunkContext context, ResourceLimit limit, TimeSpan pause) : IWhoisPoliteness
    {
        public ValueTask<IAsyncDisposable> AcquireAsync(string serverName, CancellationToken cancellationToken) =>
            context.LimitAsync(Resource(serverName), limit, cancellationToken);

        public ValueTask PushedBackAsync(string serverName, CancellationToken cancellationToken) =>
            context.BackOffAsync(Resource(serverName), pause, cancellationToken);

        private static string Resource(string serverName) => "whois:" + serverName;
    }
}
