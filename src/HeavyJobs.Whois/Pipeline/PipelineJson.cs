using System.Text.Json.Serialization;

namespace HeavyJobs.Whois.Pipeline;

/// <summary>A fetched answer as the fetch stage stores it: the raw text compressed, with its server and time.</summary>
internal sealed record FetchedAnswerOutput(
    string Domain, string Server, string Registry, DateTimeOffset FetchedAt, string Raw, string? ReferralError);

/// <summary>A domain whose lookup failed for good, with the reason.</summary>
internal sealed record FetchFailureOutput(string Domain, string Error);

/// <summary>The input of a parse chunk: the fetch chunk whose outputs it reads, and which of its domains.</summary>
internal sealed record ParseChunkInput(long FetchChunk, IReadOnlyList<string> Domains);

/// <summary>The aggregate's entry for a key of the set no refresh has fetched yet.</summary>
internal sealed record NeverFetchedResult(string Domain, string Status);

/// <summary>
/// What the pilot's stages write, by generated code: a trimmed or native-AOT worker would otherwise lose the
/// members reflection looks for. Camel case, nulls written, the default encoder: the outputs keep their format.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(FetchedAnswerOutput))]
[JsonSerializable(typeof(FetchFailureOutput))]
[JsonSerializable(typeof(ParseChunkInput))]
[JsonSerializable(typeof(NeverFetchedResult))]
internal sealed partial class PipelineJsonContext : JsonSerializerContext;
