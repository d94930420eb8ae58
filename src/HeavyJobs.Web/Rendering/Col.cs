namespace HeavyJobs.Web.Rendering;

/// <summary>
/// One column of a live table. The same description renders the rows on the server (first paint) and in the
/// browser (every refresh): the header carries it as data- attributes for app.js.
/// </summary>
/// <param name="Key">A dotted path into the row's JSON (camelCase, as the API returns it).</param>
/// <param name="Fmt">How to show the value: num, dec, bytes, pct, dur, time, list, state, lines, or plain text.</param>
/// <param name="Link">A URL template such as "/jobs/{id}": the cell links there, with {field} taken from the row.</param>
/// <param name="Actions">Buttons instead of a value; left out for viewers.</param>
public sealed record Col(string Key, string Title, string? Fmt = null, string? Link = null, IReadOnlyList<RowAction>? Actions = null);

/// <param name="Post">The API URL template to POST to, with {field} taken from the row.</param>
/// <param name="Body">The JSON body to send, if any.</param>
/// <param name="Confirm">A question to confirm first, for changes that cannot be undone.</param>
public sealed record RowAction(string Label, string Post, string? Body = null, string? Confirm = null);

/// <param name="Rows">The dotted path of the row array in the page's data.</param>
public sealed record TableModel(string Name, string Rows, IReadOnlyList<Col> Columns, IReadOnlyList<System.Text.Json.JsonElement> Data, string Empty = "nothing");
