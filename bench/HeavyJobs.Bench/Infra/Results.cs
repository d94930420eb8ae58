using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HeavyJobs.Bench;

/// <summary>Every figure of a run under a stable key, with how many runs its median is over, and notes.</summary>
internal sealed class Results
{
    private readonly SortedDictionary<string, double> _figures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _how = new(StringComparer.Ordinal);
    private readonly List<string> _notes = [];

    public IReadOnlyDictionary<string, double> Figures => _figures;

    public IReadOnlyList<string> Notes => _notes;

    public void Set(string key, double value, string how = "")
    {
        _figures[key] = Math.Round(value, value is > 100 or < -100 ? 1 : 4);
        if (how.Length > 0)
        {
            _how[key] = how;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {key} = {_figures[key]}{(how.Length > 0 ? $"  ({how})" : "")}"));
    }

    /// <summary>The median of several runs, with the count recorded.</summary>
    public void Median(string key, IReadOnlyCollection<double> runs)
    {
        if (runs.Count > 0)
        {
            Set(key, Clock.Median(runs), $"median of {runs.Count}");
        }
    }

    public double? Get(string key) => _figures.TryGetValue(key, out var v) ? v : null;

    public string How(string key) => _how.TryGetValue(key, out var v) ? v : "";

    public void Note(string note)
    {
        _notes.Add(note);
        Console.WriteLine($"  note: {note}");
    }

    public JsonObject ToJson(JsonObject header)
    {
        var json = new JsonObject();
        foreach (var (k, v) in header)
        {
            json[k] = v?.DeepClone();
        }

        foreach (var (k, v) in _figures)
        {
            json[k] = v;
        }

        json["runs"] = new JsonObject(_how.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value)));
        json["notes"] = new JsonArray(_notes.Select(n => (JsonNode?)n).ToArray());
        return json;
    }

    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
