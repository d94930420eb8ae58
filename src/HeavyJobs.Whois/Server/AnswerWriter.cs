using System.Globalization;
using System.Text;

namespace HeavyJobs.Whois.Server;

/// <summary>Builds an answer line by line with the line ending its registry uses (several still send CRLF).</summary>
internal sealed class AnswerWriter(bool crLf)
{
    private readonly StringBuilder _text = new();
    private readonly string _newLine = crLf ? "\r\n" : "\n";

    public AnswerWriter Line(string line = "")
    {
        _text.Append(line).Append(_newLine);
        return this;
    }

    public AnswerWriter Line([System.Runtime.CompilerServices.InterpolatedStringHandlerArgument("")] ref LineHandler line)
    {
        _text.Append(_newLine);
        return this;
    }

    /// <summary>A "key: value" line with the value starting at column <paramref name="width"/>, as RPSL-style registries align them.</summary>
    public AnswerWriter Field(string key, string? value, int width)
    {
        var label = key + ":";
        _text.Append(label);
        if (!string.IsNullOrEmpty(value))
            _text.Append(' ', Math.Max(1, width - label.Length)).Append(value);
        _text.Append(_newLine);
        return this;
    }

    /// <summary>Several lines of prose, re-ended with this answer's line ending.</summary>
    public AnswerWriter Block(string text)
    {
        foreach (var line in text.Split('\n'))
            Line(line.TrimEnd('\r'));
        return this;
    }

    /// <summary>Appends text with no line ending (real answers sometimes end mid-line).</summary>
    public AnswerWriter Raw(string text)
    {
        _text.Append(text);
        return this;
    }

    public override string ToString() => _text.ToString();

    /// <summary>Formats interpolated lines with the invariant culture straight into the answer.</summary>
    [System.Runtime.CompilerServices.InterpolatedStringHandler]
    public ref struct LineHandler
    {
        private StringBuilder.AppendInterpolatedStringHandler _inner;

        public LineHandler(int literalLength, int formattedCount, AnswerWriter writer)
        {
            _inner = new StringBuilder.AppendInterpolatedStringHandler(literalLength, formattedCount, writer._text, CultureInfo.InvariantCulture);
        }

        public void AppendLiteral(string value) => _inner.AppendLiteral(value);

        public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

        public void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);

        public void AppendFormatted<T>(T value, int alignment) => _inner.AppendFormatted(value, alignment);

        public void AppendFormatted<T>(T value, int alignment, string? format) => _inner.AppendFormatted(value, alignment, format);

        public void AppendFormatted(string? value) => _inner.AppendFormatted(value);
    }
}
