namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// A table laid out across the page: a line of column titles ("Domain      Status    Created      Expires"), an
/// optional rule of dashes, then rows whose cells sit under the titles. Registries that print their records from a
/// database query do this; each cell is read as the value of its column's key.
/// </summary>
internal sealed class WhoisAnswerTable
{
    private readonly int[] _starts;
    private readonly WhoisKey[] _keys;

    private WhoisAnswerTable(int[] starts, WhoisKey[] keys)
    {
        _starts = starts;
        _keys = keys;
    }

    /// <summary>
    /// A line of at least two titles, set apart by two or more spaces, naming two or more different fields of the
    /// domain (or naming the name servers); a title that is itself a host name or a date makes the line a row of data,
    /// not a header.
    /// </summary>
    public static WhoisAnswerTable? TryHeader(ReadOnlySpan<char> line, Span<char> keyBuffer)
    {
        // Colons, "|" and "=" make key-value rows (WhoisAnswerLines reads those), not a line of titles.
        if (line.IndexOfAny(':', '|', '=') >= 0 || line.IndexOf('\t') >= 0 || line.IndexOf("  ", StringComparison.Ordinal) < 0)
        {
            return null;
        }

        var cells = Cells(line);
        if (cells.Count < 2)
        {
            return null;
        }

        var starts = new int[cells.Count];
        var keys = new WhoisKey[cells.Count];
        var fields = 0u;
        for (var k = 0; k < cells.Count; k++)
        {
            var (start, length) = cells[k];
            var title = line.Slice(start, length);
            if (title.Length > 40 || title.Count(' ') > 3 || WhoisRecordBuilder.StartsWithHostName(title) || WhoisDateParser.TryParse(title, out _))
            {
                // Titles are a few words; a long run of words is a sentence, a host or a date is data.
                return null;
            }

            var normalized = WhoisKeyMap.Normalize(title, keyBuffer);
            var key = normalized > 0 ? WhoisKeyMap.Lookup(keyBuffer[..normalized]) : WhoisKey.None;
            if (key == WhoisKey.None && normalized > 0)
            {
                key = WhoisKeyGuess.Guess(keyBuffer[..normalized]);
            }

            starts[k] = start;
            keys[k] = key;
            if (key is WhoisKey.Domain or WhoisKey.Registrar or WhoisKey.Created or WhoisKey.Updated or WhoisKey.Expires or WhoisKey.NameServer)
            {
                fields |= 1u << (int)key;
            }
        }

        // A list of name servers with their addresses ("Name Server     IP Address") is a table of one field.
        return uint.PopCount(fields) >= 2 || fields == 1u << (int)WhoisKey.NameServer ? new WhoisAnswerTable(starts, keys) : null;
    }

    /// <summary>Reads one line under the titles; false when the line cannot belong to the table.</summary>
    public bool TryRow(ReadOnlySpan<char> line, WhoisRecordBuilder builder)
    {
        if (line.Trim().TrimStart("-=+| ").IsEmpty)
        {
            // The rule under the titles.
            return true;
        }

        if (line.IndexOf(':') >= 0)
        {
            return false;
        }

        var cells = Cells(line);
        if (!HasData(line, cells))
        {
            // A row gives at least a host or a date under its titles; anything else is the next part of the answer.
            return false;
        }

        for (var k = 0; k < _keys.Length; k++)
        {
            var value = Cell(line, cells, k);
            if (!value.IsEmpty)
            {
                builder.SetField(_keys[k], value, 2, guessed: false);
            }
        }

        return true;
    }

    private bool HasData(ReadOnlySpan<char> line, List<(int Start, int Length)> cells)
    {
        for (var k = 0; k < _keys.Length; k++)
        {
            var value = Cell(line, cells, k);
            var data = _keys[k] switch
            {
                WhoisKey.Domain or WhoisKey.NameServer => WhoisRecordBuilder.StartsWithHostName(value),
                WhoisKey.Created or WhoisKey.Updated or WhoisKey.Expires => WhoisDateParser.TryParse(value, out _),
                _ => false,
            };
            if (data)
            {
                return true;
            }
        }

        return false;
    }

    private ReadOnlySpan<char> Cell(ReadOnlySpan<char> line, List<(int Start, int Length)> cells, int k)
    {
        // Cells set apart like the titles are read in order; a row with an empty cell falls back to the columns.
        if (cells.Count == _keys.Length)
        {
            return line.Slice(cells[k].Start, cells[k].Length);
        }

        var start = Math.Min(_starts[k], line.Length);
        var end = k + 1 < _starts.Length ? Math.Min(_starts[k + 1], line.Length) : line.Length;
        return line[start..end].Trim();
    }

    // Runs of text set apart by two or more spaces.
    private static List<(int Start, int Length)> Cells(ReadOnlySpan<char> line)
    {
        var cells = new List<(int, int)>();
        var i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i]))
            {
                i++;
            }

            if (i >= line.Length)
            {
                break;
            }

            var start = i;
            var end = i;
            while (i < line.Length && !(char.IsWhiteSpace(line[i]) && (i + 1 >= line.Length || char.IsWhiteSpace(line[i + 1]))))
            {
                i++;
                if (!char.IsWhiteSpace(line[i - 1]))
                {
                    end = i;
                }
            }

            cells.Add((start, end - start));
        }

        return cells;
    }
}
