using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// Writes records as the CLI prints them: one object per answer with exactly the keys
/// <c>file, status, domain, registrar, created, updated, expires, nameServers, statuses,
/// registrantOrganization, registrantCountry, error</c>; instants as RFC 3339 UTC strings, absent values as null.
/// Written by hand with <see cref="Utf8JsonWriter"/> so the key set and order never depend on serializer settings.
/// </summary>
public static class WhoisRecordJson
{
    // Registrar and registrant names are often non-Latin (.cn, .kr, .mo); keep them readable in the output.
    private static readonly JsonWriterOptions _compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions _indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    public static string StatusText(WhoisStatus status) => status switch
    {
        WhoisStatus.Registered => "registered",
        WhoisStatus.NotFound => "not-found",
        _ => "bad",
    };

    /// <summary>RFC 3339 in UTC: <c>2020-01-02T03:04:05Z</c>, with a fraction only when the registry gave one.</summary>
    public static string FormatInstant(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Writes one record as a JSON object.</summary>
    public static void WriteRecord(Utf8JsonWriter writer, string? file, WhoisRecord record)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(record);
        writer.WriteStartObject();
        writer.WriteString("file", file);
        writer.WriteString("status", StatusText(record.Status));
        writer.WriteString("domain", record.Domain);
        writer.WriteString("registrar", record.Registrar);
        WriteInstant(writer, "created", record.Created);
        WriteInstant(writer, "updated", record.Updated);
        WriteInstant(writer, "expires", record.Expires);
        WriteStrings(writer, "nameServers", record.NameServers);
        WriteStrings(writer, "statuses", record.Statuses);
        writer.WriteString("registrantOrganization", record.RegistrantOrganization);
        writer.WriteString("registrantCountry", record.RegistrantCountry);
        writer.WriteString("error", record.Error);
        writer.WriteEndObject();
    }

    /// <summary>Writes the records as a JSON array.</summary>
    public static void WriteArray(Utf8JsonWriter writer, IEnumerable<(string File, WhoisRecord Record)> records)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(records);
        writer.WriteStartArray();
        foreach (var (file, record) in records)
        {
            WriteRecord(writer, file, record);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes the records as a UTF-8 JSON array to <paramref name="stream"/>, which stays open.</summary>
    public static void WriteArray(Stream stream, IEnumerable<(string File, WhoisRecord Record)> records, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new Utf8JsonWriter(stream, indented ? _indented : _compact);
        WriteArray(writer, records);
        writer.Flush();
    }

    /// <summary>Returns the records as a JSON array.</summary>
    public static string ToJson(IEnumerable<(string File, WhoisRecord Record)> records, bool indented = false)
    {
        using var stream = new MemoryStream();
        WriteArray(stream, records, indented);
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static void WriteInstant(Utf8JsonWriter writer, string name, DateTimeOffset? instant)
    {
        if (instant is { } value)
        {
            writer.WriteString(name, FormatInstant(value));
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
