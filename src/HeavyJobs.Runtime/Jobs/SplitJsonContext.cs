using System.Text.Json.Serialization;

namespace HeavyJobs.Runtime.Jobs;

/// <summary>A chunk's input when a job is split by keys: <c>{"keys":[...]}</c>.</summary>
internal sealed record KeyGroupInput(IReadOnlyList<string> Keys);

/// <summary>A chunk's input when a job is split by a file's bytes: <c>{"path":...,"offset":...,"length":...}</c>.</summary>
internal sealed record FileSliceInput(string Path, long Offset, long Length);

/// <summary>
/// The inputs <see cref="ChunkSplitter"/> writes, by generated code: a trimmed build would otherwise lose the
/// members reflection looks for and write <c>{}</c>. Camel case and the default encoder, as the inputs always were.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(KeyGroupInput))]
[JsonSerializable(typeof(FileSliceInput))]
internal sealed partial class SplitJsonContext : JsonSerializerContext;
