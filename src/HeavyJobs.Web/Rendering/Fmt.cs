using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HeavyJobs.Web.Rendering;

/// <summary>Values as the pages show them. app.js has the same formats, so a refreshed cell reads as the first paint.</summary>
public static class Fmt
{
    private const string None = "—";

    public static string Format(JsonElement? value, string? fmt)
    {
        if (value is not { } v || v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return fmt is null or "text" or "lines" ? "" : None;
        }

        return fmt switch
        {
            "num" when v.ValueKind == JsonValueKind.Number => v.GetDouble().ToString("#,0", CultureInfo.InvariantCulture),
            "dec" when v.ValueKind == JsonValueKind.Number => v.GetDouble().ToString("#,0.0", CultureInfo.InvariantCulture),
            "pct" when v.ValueKind == JsonValueKind.Number => v.GetDouble().ToString("0.0", CultureInfo.InvariantCulture) + "%",
            "bytes" when v.ValueKind == JsonValueKind.Number => Bytes(v.GetDouble()),
            "dur" when v.ValueKind == JsonValueKind.Number => Duration(v.GetDouble()),
            "time" when v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var t) =>
                t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            "list" when v.ValueKind == JsonValueKind.Array => string.Join(", ", v.EnumerateArray().Select(e => Plain(e))),
            "yes" => v.ValueKind == JsonValueKind.True ? "yes" : "",
            "eta" when v.ValueKind == JsonValueKind.Object && v.TryGetProperty("seconds", out var seconds) && seconds.ValueKind == JsonValueKind.Number =>
                Eta(seconds.GetDouble(), v.TryGetProperty("isLowerBound", out var atLeast) && atLeast.ValueKind == JsonValueKind.True),
            _ => Plain(v),
        };
    }

    /// <summary>Fills "{field}" in a URL template from the row, each value escaped for a URL.</summary>
    public static string Fill(string template, JsonElement row)
    {
        var result = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            var close = open < 0 ? -1 : template.IndexOf('}', open);
            if (close < 0)
            {
                result.Append(template, i, template.Length - i);
                break;
            }

            result.Append(template, i, open - i);
            var value = WebJson.At(row, template[(open + 1)..close]);
            result.Append(Uri.EscapeDataString(value is { } v ? Plain(v) : ""));
            i = close + 1;
        }

        return result.ToString();
    }

    public static string Bytes(double bytes) =>
        bytes >= 1 << 30 ? (bytes / (1 << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB"
        : bytes >= 1 << 20 ? (bytes / (1 << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB"
        : bytes >= 1 << 10 ? (bytes / (1 << 10)).ToString("0", CultureInfo.InvariantCulture) + " KiB"
        : bytes.ToString("0", CultureInfo.InvariantCulture) + " B";

    public static string Duration(double seconds)
    {
        if (seconds < 0)
        {
            return None;
        }

        var s = (long)Math.Round(seconds);
        return s >= 86_400 ? $"{s / 86_400}d {s % 86_400 / 3600:00}h"
            : s >= 3600 ? $"{s / 3600}h {s % 3600 / 60:00}m"
            : s >= 60 ? $"{s / 60}m {s % 60:00}s"
            : $"{s}s";
    }

    /// <summary>"done" at zero; "≥ " before a lower bound (the job waits on a barrier whose run time is not known yet).</summary>
    public static string Eta(double seconds, bool isLowerBound) =>
        seconds <= 0 ? "done" : (isLowerBound ? "≥ " : "") + Duration(seconds);

    private static string Plain(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString() ?? "",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "",
        _ => v.GetRawText(),
    };
}
