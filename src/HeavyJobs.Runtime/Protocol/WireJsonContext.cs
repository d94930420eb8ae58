using System.Text.Json;
using System.Text.Json.Serialization;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.KeySets;
using HeavyJobs.Storage.Politeness;

namespace HeavyJobs.Runtime.Protocol;

/// <summary>
/// Everything the pipes carry, serialized by generated code rather than reflection: the messages, the store calls'
/// parameter records and their answers, with the lists the store returns them in. A trimmed or native-AOT worker
/// keeps these types' members (reflection would find them trimmed away), and the serializer skips building its
/// metadata at run time. <see cref="Wire"/> uses nothing else: a type not listed here cannot cross a pipe.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HelloMessage))]
[JsonSerializable(typeof(HeartbeatMessage))]
[JsonSerializable(typeof(ByeMessage))]
[JsonSerializable(typeof(StoreCallMessage))]
[JsonSerializable(typeof(StoreResultMessage))]
[JsonSerializable(typeof(WireErrorMessage))]
[JsonSerializable(typeof(WakeMessage))]
[JsonSerializable(typeof(StopMessage))]
[JsonSerializable(typeof(NoopMessage))]
[JsonSerializable(typeof(ProxyChunksMessage))]
[JsonSerializable(typeof(ProxyAckMessage))]
[JsonSerializable(typeof(ChunkClaimParams))]
[JsonSerializable(typeof(ChunkCheckpointParams))]
[JsonSerializable(typeof(ChunkCompleteManyParams))]
[JsonSerializable(typeof(ChunkCompleteAndClaimParams))]
[JsonSerializable(typeof(ChunkFailParams))]
[JsonSerializable(typeof(ChunkReleaseParams))]
[JsonSerializable(typeof(KeySetReadParams))]
[JsonSerializable(typeof(OutputListParams))]
[JsonSerializable(typeof(RateReserveParams))]
[JsonSerializable(typeof(RateTurnParams))]
[JsonSerializable(typeof(RateBackOffParams))]
[JsonSerializable(typeof(ServerSlotAcquireParams))]
[JsonSerializable(typeof(ServerTurnTakeParams))]
[JsonSerializable(typeof(ServerSlotReleaseParams))]
[JsonSerializable(typeof(ActionInsertParams))]
[JsonSerializable(typeof(List<ClaimedChunk>))]
[JsonSerializable(typeof(ClaimedChunk[]))]
[JsonSerializable(typeof(IReadOnlyList<ClaimedChunk>))]
[JsonSerializable(typeof(CheckpointOutcome))]
[JsonSerializable(typeof(List<long>))]
[JsonSerializable(typeof(long[]))]
[JsonSerializable(typeof(IReadOnlyList<long>))]
[JsonSerializable(typeof(CompletedAndClaimed))]
[JsonSerializable(typeof(FailOutcome))]
[JsonSerializable(typeof(List<KeySetEntry>))]
[JsonSerializable(typeof(KeySetEntry[]))]
[JsonSerializable(typeof(IReadOnlyList<KeySetEntry>))]
[JsonSerializable(typeof(List<OutputRow>))]
[JsonSerializable(typeof(OutputRow[]))]
[JsonSerializable(typeof(IReadOnlyList<OutputRow>))]
[JsonSerializable(typeof(RateBackOff))]
[JsonSerializable(typeof(ServerTurn))]
[JsonSerializable(typeof(DateTimeOffset))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(int?))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(string))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
