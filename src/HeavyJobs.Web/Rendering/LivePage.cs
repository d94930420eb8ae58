using System.Text.Json;
using HeavyJobs.Web.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HeavyJobs.Web.Rendering;

/// <summary>
/// A page that paints its data on the server and then refreshes it from the JSON API: the page's data is the
/// API's answer (or several answers, by name), so bindings and tables read the same paths in both places.
/// </summary>
public abstract class LivePage : PageModel
{
    /// <summary>The data in the shape the browser gets it: one API answer, or an object of named answers.</summary>
    public JsonElement Data { get; private set; }

    /// <summary>Name to API URL; a single unnamed one is "".</summary>
    public IReadOnlyDictionary<string, string> Sources { get; private set; } = new Dictionary<string, string>();

    public bool IsOperator => User.IsOperator();

    /// <summary>
    /// These pages only show: a POST (which passed antiforgery) gets 405 instead of a page rendered without its data.
    /// Changes go through the API.
    /// </summary>
    public IActionResult OnPost()
    {
        Response.Headers.Allow = "GET, HEAD";
        return StatusCode(StatusCodes.Status405MethodNotAllowed);
    }

    protected void Show(string api, object data)
    {
        Sources = new Dictionary<string, string> { [""] = api };
        Data = WebJson.ToElement(data);
        ViewData["Sources"] = Sources;
    }

    protected void Show(params (string Name, string Api, object Data)[] parts)
    {
        Sources = parts.ToDictionary(p => p.Name, p => p.Api);
        Data = WebJson.ToElement(parts.ToDictionary(p => p.Name, p => p.Data));
        ViewData["Sources"] = Sources;
    }

    public string Text(string path, string? fmt = null) => Fmt.Format(WebJson.At(Data, path), fmt);

    public bool Truthy(string path) => WebJson.At(Data, path) is { } v
        && v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.Array => v.GetArrayLength() > 0,
            JsonValueKind.Number => v.GetDouble() != 0,
            JsonValueKind.String => v.GetString()!.Length > 0,
            JsonValueKind.Object => true,
            _ => false,
        };

    public TableModel Table(string name, string rows, IReadOnlyList<Col> columns, string empty = "nothing") =>
        new(
            name,
            rows,
            IsOperator ? columns : columns.Where(c => c.Actions is null).ToList(),
            WebJson.At(Data, rows) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().ToList() : [],
            empty);

    /// <summary>The current query string with some parameters replaced (null removes one): paging and filter links.</summary>
    public string With(params (string Key, string? Value)[] changes)
    {
        var query = Request.Query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in changes)
        {
            query[key] = value;
        }

        var parts = query.Where(q => !string.IsNullOrEmpty(q.Value)).Select(q => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(q.Value!));
        var qs = string.Join("&", parts);
        return Request.Path + (qs.Length > 0 ? "?" + qs : "");
    }
}
