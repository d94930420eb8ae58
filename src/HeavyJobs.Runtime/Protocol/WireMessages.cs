using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace HeavyJobs.Runtime.Protocol;

/// <summary>
/// The messages a monitor and its workers write to each other (docs/worker-protocol.md), as named records so that
/// <see cref="WireJsonContext"/> writes them without reflection: a trimmed or native-AOT build keeps its protocol.
/// Each carries its <c>type</c> first, as the protocol's readers expect nothing of the order but people do.
/// </summary>
public abstract record WireMessage([property: JsonPropertyOrder(-1)] string Type);

/// <summary>Worker → monitor, once at start.</summary>
public sealed record HelloMessage(string Version, IReadOnlyList<string> Types, int Protocol, bool Proxy, int Pid) : WireMessage("hello");

/// <summary>Worker → monitor: how it is doing, with the throughput samples since the last one.</summary>
public sealed record HeartbeatMessage(string State, IReadOnlyList<long> Chunks, long Items, long Good, long Bad, long Checkpoints, IReadOnlyList<HeartbeatSample> Samples)
    : WireMessage("heartbeat");

public sealed record HeartbeatSample(string Type, int Stage, long Items, long Good, long Bad);

/// <summary>Worker → monitor, as it leaves.</summary>
public sealed record ByeMessage(string Reason) : WireMessage("bye");

/// <summary>Worker → monitor: a store call (<see cref="StoreCalls"/>); <paramref name="Args"/> is the call's parameter record.</summary>
public sealed record StoreCallMessage(long Seq, string Op, object Args) : WireMessage(StoreCalls.Call);

/// <summary>Monitor → worker: the answer to a store call.</summary>
public sealed record StoreResultMessage(long Seq, object? Value) : WireMessage(StoreCalls.Result);

/// <summary>Monitor → worker: a store call or a proxy request that failed.</summary>
public sealed record WireErrorMessage(long Seq, string Error) : WireMessage(StoreCalls.Error);

/// <summary>Monitor → worker: work is ready for an idle worker's type.</summary>
public sealed record WakeMessage() : WireMessage("wake");

/// <summary>Monitor → worker: finish or give back what it holds within the grace, then leave.</summary>
public sealed record StopMessage(long GraceMs) : WireMessage("stop");

/// <summary>Monitor → proxy worker: an answer that needs none ("bye").</summary>
public sealed record NoopMessage() : WireMessage("noop");

/// <summary>Monitor → proxy worker: the chunks it claimed for the worker.</summary>
public sealed record ProxyChunksMessage(long Seq, IReadOnlyList<ProxyChunk> Chunks) : WireMessage("chunks");

public sealed record ProxyChunk(
    long Id, long JobId, int Stage, string Type, long Epoch, JsonNode? Input, string? Cursor, long Done, long Good, long Bad, int Attempts, JsonNode? Parameters);

/// <summary>Monitor → proxy worker: whether a checkpoint, failure or release was applied.</summary>
public sealed record ProxyAckMessage(long Seq, string Outcome) : WireMessage("ack");
