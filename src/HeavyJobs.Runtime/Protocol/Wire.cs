using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.IO;

namespace HeavyJobs.Runtime.Protocol;

/// <summary>
/// One JSON object per line, both ways (docs/worker-protocol.md). Reading never throws on bad input: a line
/// that is not a JSON object with a string "type" is garbage, and the caller decides what garbage costs.
/// </summary>
public static class Wire
{
    public const int ProtocolVersion = 1;

    /// <summary>Longest line accepted; a worker writing more is broken, not chatty.</summary>
    public const int MaxLineLength = 1 << 24;

    // The generated contract alone (WireJsonContext): no reflection, so a trimmed or native-AOT build writes exactly
    // what this one does, and a type outside the contract fails at once rather than in a trimmed build.
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { TypeInfoResolver = WireJsonContext.Default };

    // Pooled buffers for the messages: a page of outputs serialized to a string and then encoded was two large
    // objects a message (the string twice the bytes), garbage only a full collection takes back. The pool keeps
    // at most 8 MiB of free blocks and 8 MiB of free large buffers (unbounded by default: a burst of big messages
    // would stay held for the life of the process).
    private static readonly RecyclableMemoryStreamManager Buffers = new(new RecyclableMemoryStreamManager.Options
    {
        MaximumSmallPoolFreeBytes = 8 << 20,
        MaximumLargePoolFreeBytes = 8 << 20,
    });

    /// <summary>The message as one line of UTF-8 in a pooled stream (dispose it to give the memory back).</summary>
    public static RecyclableMemoryStream SerializeLine(WireMessage message)
    {
        var line = Buffers.GetStream("wire");
        JsonSerializer.Serialize(line, message, Options.GetTypeInfo(message.GetType()));
        line.WriteByte((byte)'\n');
        return line;
    }

    /// <summary>Reads a value the contract lists (a store call's parameter record or answer).</summary>
    /// <exception cref="NotSupportedException">The type is not in <see cref="WireJsonContext"/>.</exception>
    public static T? Read<T>(JsonNode value) => value.Deserialize((JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));

    public static bool TryParse(string? line, out string type, out JsonObject body)
    {
        (type, body) = ("", new JsonObject());
        try
        {
            return !string.IsNullOrWhiteSpace(line) && line.Length <= MaxLineLength && Typed(JsonNode.Parse(line), out type, out body);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// As <see cref="TryParse(string?, out string, out JsonObject)"/>, from the line's UTF-8 bytes. A line that is
    /// not valid UTF-8 is garbage: the parser takes invalid bytes inside a string and throws only when the value
    /// is read, anywhere later.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out string type, out JsonObject body)
    {
        (type, body) = ("", new JsonObject());
        try
        {
            return !line.IsEmpty && line.Length <= MaxLineLength && System.Text.Unicode.Utf8.IsValid(line) && Typed(JsonNode.Parse(line), out type, out body);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool Typed(JsonNode? node, out string type, out JsonObject body)
    {
        if (node is JsonObject obj && obj["type"] is JsonValue v && v.TryGetValue<string>(out var t))
        {
            (type, body) = (t, obj);
            return true;
        }

        (type, body) = ("", new JsonObject());
        return false;
    }

    public static long Long(this JsonObject body, string name, long fallback = 0) =>
        body[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : fallback;

    public static string? Str(this JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static bool Bool(this JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
}

/// <summary>Environment variables a monitor gives the workers it starts.</summary>
public static class WorkerEnvironment
{
    public const string WorkerId = "HEAVYJOBS_WORKER_ID";

    public const string Types = "HEAVYJOBS_TYPES";

    public const string Db = "HEAVYJOBS_DB";

    /// <summary>The kind of store <see cref="Db"/> names ("sqlite" or "postgres"), so a worker opens the one its monitor uses.</summary>
    public const string Store = "HEAVYJOBS_STORE";

    public const string HeartbeatMs = "HEAVYJOBS_HEARTBEAT_MS";

    /// <summary>The heartbeat period while idle; workers that ignore it heartbeat at <see cref="HeartbeatMs"/> throughout.</summary>
    public const string IdleHeartbeatMs = "HEAVYJOBS_IDLE_HEARTBEAT_MS";

    /// <summary>The lease a worker that claims from the store itself asks for; the monitor extends it by the same.</summary>
    public const string LeaseMs = "HEAVYJOBS_LEASE_MS";

    /// <summary>How a .NET worker reaches the store: "monitor" (over its pipe, <see cref="StoreCalls"/>) or "direct" (it opens <see cref="Db"/>).</summary>
    public const string StoreAccess = "HEAVYJOBS_STORE_ACCESS";

    /// <summary>The file in which the worker keeps the chunks its handlers run (<see cref="RunningFile"/>).</summary>
    public const string RunningFile = "HEAVYJOBS_RUNNING_FILE";
}
