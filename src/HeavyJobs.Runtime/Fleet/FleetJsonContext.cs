using System.Text.Json;
using System.Text.Json.Serialization;

namespace HeavyJobs.Runtime.Fleet;

/// <summary>
/// The small JSON files and arguments of deploys (a deploy command's argument, a start guard's rollback note),
/// serialized by generated code so that a trimmed or native-AOT build reads and writes them like the shipped one.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DeployArg))]
[JsonSerializable(typeof(StartRollback))]
internal sealed partial class FleetJsonContext : JsonSerializerContext;
