using System.Text.Json;
using System.Text.Json.Nodes;
using HeavyJobs.Core.Handlers;

namespace HeavyJobs.Core.Definitions;

/// <summary>
/// Turns a job file (JSON or YAML) into a <see cref="JobDefinition"/>, or a <see cref="JobDefinitionException"/>
/// that names the file, the field and the problem. Unknown fields are errors too: a typo must not be ignored.
/// </summary>
public static class JobDefinitionParser
{
    /// <summary>More chunks than this in one submission is almost certainly a mistake in the split size.</summary>
    public const long MaxChunks = 10_000_000;

    private static readonly string[] TopFields = ["name", "type", "stages", "parameters", "split", "priority", "maxAttempts"];

    public static JobDefinition Parse(string text, string source, bool yaml)
    {
        JsonNode? root;
        if (yaml)
        {
            root = YamlToJson.Parse(text, source);
        }
        else
        {
            try
            {
                root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException ex)
            {
                throw new JobDefinitionException(source, "", $"not valid JSON at line {(ex.LineNumber ?? 0) + 1}: {ex.Message}");
            }
        }

        return FromNode(root, source);
    }

    /// <summary>Parses by the file's extension: .json, or .yaml/.yml.</summary>
    public static JobDefinition ParseFile(string path, string text)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".json" => Parse(text, path, yaml: false),
            ".yaml" or ".yml" => Parse(text, path, yaml: true),
            _ => throw new JobDefinitionException(path, "", $"unknown file kind '{ext}': use .json, .yaml or .yml"),
        };
    }

    public static JobDefinition FromNode(JsonNode? root, string source)
    {
        var v = new Validator(source);
        var obj = v.Object(root, "");
        v.NoUnknownFields(obj, "", TopFields);

        var name = v.String(obj, "name", required: true, maxLength: JobDefinition.MaxNameLength)!;
        var stages = ParseStages(v, obj);
        var parameters = obj["parameters"] is { } p ? ToElement(v.Object(p, "parameters")) : ToElement(new JsonObject());
        var priority = (int)v.Integer(obj, "priority", 0, -1000, 1000);
        var maxAttempts = (int)v.Integer(obj, "maxAttempts", HandlerDefaults.MaxAttempts, 1, 100);
        var split = ParseSplit(v, obj);
        return new JobDefinition(name, stages, parameters, split, priority, maxAttempts);
    }

    // The node's own writer rather than the serializer's reflection, which a trimmed build cannot count on.
    private static JsonElement ToElement(JsonNode node)
    {
        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }

    private static List<StageDefinition> ParseStages(Validator v, JsonObject obj)
    {
        var hasType = obj.ContainsKey("type");
        var hasStages = obj.ContainsKey("stages");
        if (hasType == hasStages)
        {
            throw v.Error(hasType ? "stages" : "type", "give either 'type' (a single-stage job) or 'stages' (a pipeline), not both or neither");
        }

        if (hasType)
        {
            return [new StageDefinition("main", v.Type(obj, "type"), StageMode.Streaming)];
        }

        var arr = v.Array(obj["stages"], "stages");
        if (arr.Count is 0 or > 20)
        {
            throw v.Error("stages", "a pipeline has 1 to 20 stages");
        }

        var stages = new List<StageDefinition>();
        for (var i = 0; i < arr.Count; i++)
        {
            var path = $"stages[{i}]";
            var stage = v.Object(arr[i], path);
            v.NoUnknownFields(stage, path, ["name", "type", "mode"]);
            var stageName = v.String(stage, "name", required: true, maxLength: 100, prefix: path)!;
            var type = v.Type(stage, "type", path);
            var modeText = v.String(stage, "mode", required: false, maxLength: 20, prefix: path) ?? "streaming";
            var mode = modeText switch
            {
                "streaming" => StageMode.Streaming,
                "barrier" => StageMode.Barrier,
                _ => throw v.Error($"{path}.mode", $"must be 'streaming' or 'barrier' (got '{modeText}')"),
            };
            if (stages.Any(s => s.Name == stageName))
            {
                throw v.Error($"{path}.name", $"stage name '{stageName}' is used twice");
            }

            stages.Add(new StageDefinition(stageName, type, mode));
        }

        return stages;
    }

    private static ChunkSplit ParseSplit(Validator v, JsonObject obj)
    {
        var split = v.Object(obj["split"] ?? throw v.Error("split", "is required: say how the input is split into chunks (range, keys, keysFile, staleKeys, file or inputs)"), "split");
        if (split.Count != 1)
        {
            throw v.Error("split", "must have exactly one of: range, keys, keysFile, staleKeys, file, inputs");
        }

        var (kind, node) = split.First();
        var path = $"split.{kind}";
        switch (kind)
        {
            case "range":
            {
                var r = v.Object(node, path);
                v.NoUnknownFields(r, path, ["start", "end", "size"]);
                var start = v.Integer(r, "start", null, long.MinValue, long.MaxValue, path);
                var end = v.Integer(r, "end", null, long.MinValue, long.MaxValue, path);
                var size = v.Integer(r, "size", null, 1, long.MaxValue, path);
                if (end <= start)
                {
                    throw v.Error($"{path}.end", $"must be greater than start ({start})");
                }

                // In 128 bits: end - start alone overflows a long for the widest ranges.
                CheckCount(v, path, ((Int128)end - start + size - 1) / size);
                return new ChunkSplit.Range(start, end, size);
            }

            case "keys":
            {
                var k = v.Object(node, path);
                v.NoUnknownFields(k, path, ["items", "size"]);
                var items = v.Array(k["items"] ?? throw v.Error($"{path}.items", "is required"), $"{path}.items");
                var keys = new List<string>(items.Count);
                for (var i = 0; i < items.Count; i++)
                {
                    keys.Add(items[i] is JsonValue jv && jv.TryGetValue<string>(out var s) && s.Length > 0
                        ? s
                        : throw v.Error($"{path}.items[{i}]", "must be a non-empty string"));
                }

                if (keys.Count == 0)
                {
                    throw v.Error($"{path}.items", "must not be empty");
                }

                var size = (int)v.Integer(k, "size", 100, 1, 1_000_000, path);
                return new ChunkSplit.Keys(keys, size);
            }

            case "keysFile":
            {
                var k = v.Object(node, path);
                v.NoUnknownFields(k, path, ["path", "size"]);
                var file = v.String(k, "path", required: true, maxLength: 4096, prefix: path)!;
                var size = (int)v.Integer(k, "size", 100, 1, 1_000_000, path);
                return new ChunkSplit.KeysFile(file, size);
            }

            case "staleKeys":
            {
                var k = v.Object(node, path);
                v.NoUnknownFields(k, path, ["set", "olderThan", "size", "limit"]);
                var set = v.String(k, "set", required: true, maxLength: 200, prefix: path)!;
                var olderThanText = v.String(k, "olderThan", required: true, maxLength: 40, prefix: path);
                if (!Durations.TryParse(olderThanText, out var olderThan))
                {
                    throw v.Error($"{path}.olderThan", $"must be a whole number and a unit (s, m, h or d), as in 7d (got '{olderThanText}')");
                }

                var size = (int)v.Integer(k, "size", 100, 1, 1_000_000, path);
                var limit = (int)v.Integer(k, "limit", 1_000_000, 1, 100_000_000, path);
                CheckCount(v, path, ((Int128)limit + size - 1) / size);
                return new ChunkSplit.StaleKeys(set, olderThan, size, limit);
            }

            case "file":
            {
                var f = v.Object(node, path);
                v.NoUnknownFields(f, path, ["path", "bytes"]);
                var file = v.String(f, "path", required: true, maxLength: 4096, prefix: path)!;
                var bytes = v.Integer(f, "bytes", 1 << 20, 1, long.MaxValue, path);
                return new ChunkSplit.FileSlices(file, bytes);
            }

            case "inputs":
            {
                var arr = v.Array(node, path);
                if (arr.Count == 0)
                {
                    throw v.Error(path, "must not be empty");
                }

                CheckCount(v, path, arr.Count);
                return new ChunkSplit.Inputs(arr.Select(n => n?.ToJsonString() ?? "null").ToList());
            }

            default:
                throw v.Error(path, "unknown split kind: use range, keys, keysFile, staleKeys, file or inputs");
        }
    }

    private static void CheckCount(Validator v, string path, Int128 count)
    {
        if (count > MaxChunks)
        {
            throw v.Error(path, $"would make {count:N0} chunks, more than the {MaxChunks:N0} allowed in one job: use a larger size");
        }
    }

    private sealed class Validator(string source)
    {
        public JobDefinitionException Error(string field, string problem) => new(source, field, problem);

        public JsonObject Object(JsonNode? node, string path) =>
            node as JsonObject ?? throw Error(path, $"must be an object (got {Describe(node)})");

        public JsonArray Array(JsonNode? node, string path) =>
            node as JsonArray ?? throw Error(path, $"must be a list (got {Describe(node)})");

        public void NoUnknownFields(JsonObject obj, string path, string[] known)
        {
            foreach (var (key, _) in obj)
            {
                if (!known.Contains(key, StringComparer.Ordinal))
                {
                    throw Error(Join(path, key), $"unknown field; expected one of: {string.Join(", ", known)}");
                }
            }
        }

        public string? String(JsonObject obj, string field, bool required, int maxLength, string prefix = "")
        {
            var path = Join(prefix, field);
            var node = obj[field];
            if (node is null)
            {
                return required ? throw Error(path, "is required") : null;
            }

            if (node is not JsonValue jv || !jv.TryGetValue<string>(out var s))
            {
                throw Error(path, $"must be a string (got {Describe(node)})");
            }

            if (s.Trim().Length == 0)
            {
                throw Error(path, "must not be empty");
            }

            return s.Length > maxLength ? throw Error(path, $"is longer than {maxLength} characters") : s;
        }

        public string Type(JsonObject obj, string field, string prefix = "")
        {
            var type = String(obj, field, required: true, maxLength: 100, prefix)!;
            return HandlerRegistration.IsValidType(type)
                ? type
                : throw Error(Join(prefix, field), $"'{type}' is not a valid type key: use letters, digits, '.', '-' and '_'");
        }

        public long Integer(JsonObject obj, string field, long? defaultValue, long min, long max, string prefix = "")
        {
            var path = Join(prefix, field);
            var node = obj[field];
            if (node is null)
            {
                return defaultValue ?? throw Error(path, "is required");
            }

            if (node is not JsonValue jv || jv.GetValueKind() != JsonValueKind.Number || !jv.TryGetValue<long>(out var n))
            {
                if (node is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue<double>(out var dbl) && dbl == Math.Floor(dbl) && Math.Abs(dbl) < 9e15)
                {
                    n = (long)dbl;
                }
                else
                {
                    throw Error(path, $"must be a whole number (got {Describe(node)})");
                }
            }

            return n < min || n > max ? throw Error(path, $"must be between {min} and {max} (got {n})") : n;
        }

        private static string Join(string prefix, string field) => prefix.Length == 0 ? field : $"{prefix}.{field}";

        private static string Describe(JsonNode? node) => node switch
        {
            null => "nothing",
            JsonObject => "an object",
            JsonArray => "a list",
            JsonValue v => v.GetValueKind() switch
            {
                JsonValueKind.String => $"the text \"{Truncate(v.ToString())}\"",
                JsonValueKind.Number => $"the number {v}",
                JsonValueKind.True or JsonValueKind.False => $"the boolean {v}",
                _ => v.ToJsonString(),
            },
            _ => node.ToJsonString(),
        };

        private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
    }
}
