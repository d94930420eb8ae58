using System.Text.Json;
using System.Text.Json.Serialization;
using HeavyJobs.Core.Definitions;

namespace HeavyJobs.Storage.Relational;

/// <summary>
/// The JSON the stores keep in their columns and parameters (a worker's types, a job's stages, lists of ids),
/// written by generated code: a trimmed or native-AOT build has no reflection metadata for them to fall back on.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(CamelCaseEnumConverter<StageMode>)])]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(IReadOnlyList<StageDefinition>))]
[JsonSerializable(typeof(List<StageDefinition>))]
[JsonSerializable(typeof(IEnumerable<long>))]
[JsonSerializable(typeof(long[]))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;

/// <summary>Stage modes as the stages column has always held them: "streaming", "barrier".</summary>
internal sealed class CamelCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase)
    where TEnum : struct, Enum;
