using System.Text.Json;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Whois.Parsing;

namespace HeavyJobs.Whois.Pipeline;

/// <summary>Parses the raw answers one fetch checkpoint committed into records; counts good and bad, each bad with its reason.</summary>
public sealed class ParseHandler : IChunkHandler
{
    private const string Parsed = "parsed";

    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        if (context.Cursor == Parsed)
        {
            // Run again after its checkpoint (stopped, or dead before its completion landed): parsing again
            // would commit every record twice.
            return;
        }

        var fetchChunk = context.Input.GetProperty("fetchChunk").GetInt64();
        var domains = context.Input.GetProperty("domains").EnumerateArray().Select(d => d.GetString()!).ToList();
        var wanted = domains.ToHashSet(StringComparer.Ordinal);
        long after = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            // Only this checkpoint's answers: a fetch chunk of the million holds 50,000, and reading them all for each
            // of its hundred parse chunks was most of what the parse stage did.
            var page = await context.ReadOutputsAsync(new OutputQuery(ChunkId: fetchChunk, Keys: domains), after, 1000, cancellationToken);
            foreach (var output in page)
            {
                if (!wanted.Contains(output.Key) || !seen.Add(output.Key))
                {
                    continue;
                }

                var record = Parse(output.Key, output.Data);
                var json = ToJson(output.Key, record);
                context.Output(output.Key, json);
                if (record.Status != WhoisStatus.Bad)
                {
                    // The domain's record is fresh (registered or not found).
                    context.MarkFresh(output.Key, json);
                }
                else
                {
                    // One that could not be fetched or read stays due, so the next refresh tries it again; it is this
                    // job's all the same, so the aggregate counts it by this record, not carried over.
                    context.MarkAttempted(output.Key);
                }

                context.Add(1, good: record.Status == WhoisStatus.Bad ? 0 : 1, bad: record.Status == WhoisStatus.Bad ? 1 : 0);
            }

            if (page.Count < 1000)
            {
                break;
            }

            after = page[^1].Id;
        }

        await context.CheckpointAsync(Parsed, cancellationToken);
    }

    private static string ToJson(string domain, WhoisRecord record)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WhoisRecordJson.WriteRecord(writer, domain, record);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// Parses one fetch output (<c>{"raw": ...}</c> or <c>{"error": ...}</c>) for <paramref name="domain"/>. The queried
    /// domain fills a record whose answer never names it, so such an answer counts as good when its other fields came out.
    /// </summary>
    internal static WhoisRecord Parse(string domain, string fetched)
    {
        using var doc = JsonDocument.Parse(fetched);
        if (doc.RootElement.TryGetProperty("error", out var error))
        {
            return new WhoisRecord { Status = WhoisStatus.Bad, Domain = domain, Error = error.GetString() };
        }

        var raw = FetchHandler.Decompress(doc.RootElement.GetProperty("raw").GetString()!);
        var record = WhoisParser.Parse(raw, domain);
        return record.Domain is null ? record with { Domain = domain.ToLowerInvariant() } : record;
    }
}
