using System.Text.Json;

namespace HeavyJobs.Testing;

/// <summary>Makes the <see cref="JsonElement"/>s a chunk's input and a job's parameters are, from text or a value.</summary>
public static class TestJson
{
    /// <summary>An empty object: what a chunk without input or a job without parameters gets.</summary>
    public static JsonElement EmptyObject { get; } = Parse("{}");

    /// <summary>Parses JSON text into an element that outlives its document.</summary>
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>Serializes a value (an anonymous object, a record) with default options: property names as written.</summary>
    public static JsonElement From<T>(T value) => JsonSerializer.SerializeToElement(value);
}
