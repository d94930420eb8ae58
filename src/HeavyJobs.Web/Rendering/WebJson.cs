using System.Text.Json;
using System.Text.Json.Serialization;

namespace HeavyJobs.Web.Rendering;

internal static class WebJson
{
    /// <summary>The API's JSON: camelCase, as the browser reads it.</summary>
    public static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static JsonElement ToElement<T>(T value) => JsonSerializer.SerializeToElement(value, Web);

    /// <summary>The value at a dotted path (a number steps into an array), or null when any step is missing.</summary>
    public static JsonElement? At(JsonElement root, string path)
    {
        var current = root;
        foreach (var part in path.Split('.'))
        {
            if (current.ValueKind == JsonValueKind.Array && int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i))
            {
                if (i >= current.GetArrayLength())
                {
                    return null;
                }

                current = current[i];
            }
            else if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current;
    }
}
