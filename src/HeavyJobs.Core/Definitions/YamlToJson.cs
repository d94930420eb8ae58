using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace HeavyJobs.Core.Definitions;

/// <summary>
/// Reads YAML into the same JSON tree that JSON files give, so one validator serves both. It walks the parser's
/// events with a stack of its own, so a hostile file cannot overflow the process's stack, and refuses aliases,
/// which could expand a small file into an exponential tree (the "billion laughs").
/// </summary>
internal static class YamlToJson
{
    /// <summary>Deepest nesting accepted; the same as a JSON file's.</summary>
    public const int MaxDepth = 64;

    public static JsonNode? Parse(string text, string source)
    {
        try
        {
            return Read(new Parser(new StringReader(text)), source);
        }
        catch (YamlException ex)
        {
            throw new JobDefinitionException(source, "", $"not valid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            // The YAML scanner reports some malformed input this way, without a position.
            throw new JobDefinitionException(source, "", $"not valid YAML: {ex.Message}");
        }
    }

    private static JsonNode? Read(IParser parser, string source)
    {
        var documents = 0;
        JsonNode? root = null;
        // Each open container, and for a mapping the key waiting for its value.
        var open = new Stack<(JsonNode Node, string? Key)>();
        while (parser.MoveNext())
        {
            var e = parser.Current!;
            switch (e)
            {
                case DocumentStart:
                    documents++;
                    break;
                case AnchorAlias alias:
                    throw new JobDefinitionException(source, "", $"YAML aliases (*{alias.Value}) are not supported in job files, at line {alias.Start.Line}: write the value out");
                case Scalar scalar when open.Count > 0 && open.Peek() is { Node: JsonObject, Key: null }:
                    open.Push((open.Pop().Node, scalar.Value));
                    break;
                case Scalar scalar:
                    Add(ConvertScalar(scalar));
                    break;
                case MappingStart or SequenceStart:
                    if (open.Count >= MaxDepth)
                    {
                        throw new JobDefinitionException(source, "", $"nested more than {MaxDepth} levels deep at line {e.Start.Line}");
                    }

                    if (open.Count > 0 && open.Peek() is { Node: JsonObject, Key: null })
                    {
                        throw new JobDefinitionException(source, "", $"only plain text can be a key, at line {e.Start.Line}");
                    }

                    open.Push((e is MappingStart ? new JsonObject() : new JsonArray(), null));
                    break;
                case MappingEnd or SequenceEnd:
                    Add(open.Pop().Node);
                    break;
            }
        }

        return documents == 1
            ? root
            : throw new JobDefinitionException(source, "", $"expected one YAML document, found {documents}");

        void Add(JsonNode? node)
        {
            if (open.Count == 0)
            {
                root = node;
                return;
            }

            var (parent, key) = open.Pop();
            if (parent is JsonArray array)
            {
                array.Add(node);
                open.Push((parent, null));
            }
            else
            {
                var obj = (JsonObject)parent;
                if (obj.ContainsKey(key!))
                {
                    throw new JobDefinitionException(source, "", $"the key '{key}' is given twice in one mapping");
                }

                obj[key!] = node;
                open.Push((parent, null));
            }
        }
    }

    private static JsonNode? ConvertScalar(Scalar scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        if (value is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (value is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (value is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        if (long.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        // Only finite numbers: NaN and infinities (or 1e999) have no JSON form, so they stay text.
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(value);
    }
}
