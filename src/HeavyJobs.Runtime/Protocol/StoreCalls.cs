namespace HeavyJobs.Runtime.Protocol;

/// <summary>
/// The store calls a .NET worker may send its monitor (docs/worker-protocol.md, "Store calls"): a fixed set of
/// names, each served by one branch of the monitor's switch with one parameter record. Nothing on the wire names
/// a type, so a worker can ask for these and nothing else.
/// </summary>
public static class StoreCalls
{
    /// <summary>Worker → monitor: <c>{"type":"call","seq":N,"op":NAME,"args":{…}}</c>.</summary>
    public const string Call = "call";

    /// <summary>Monitor → worker: <c>{"type":"result","seq":N,"value":…}</c>; a failure is <c>{"type":"error","seq":N,"error":"…"}</c>.</summary>
    public const string Result = "result";

    public const string Error = "error";

    public const string ChunkClaim = "chunk.claim";
    public const string ChunkCheckpoint = "chunk.checkpoint";
    public const string ChunkCompleteMany = "chunk.completeMany";
    public const string ChunkCompleteAndClaim = "chunk.completeAndClaim";
    public const string ChunkFail = "chunk.fail";
    public const string ChunkRelease = "chunk.release";
    public const string JobParameters = "job.parameters";
    public const string KeySetRead = "keySet.read";
    public const string OutputList = "output.list";
    public const string RateReserve = "rate.reserve";
    public const string RateTurnStands = "rate.turnStands";
    public const string RateBackOff = "rate.backOff";
    public const string SlotAcquire = "slot.acquire";
    public const string SlotRelease = "slot.release";
    public const string TurnTake = "turn.take";
    public const string ActionInsert = "action.insert";

    /// <summary>Workers reach the store through their monitor.</summary>
    public const string AccessMonitor = "monitor";

    /// <summary>Workers open the store themselves.</summary>
    public const string AccessDirect = "direct";
}
