using System.Buffers;
using System.Text;

namespace HeavyJobs.Runtime.Protocol;

/// <summary>What one read from a worker's stream gave.</summary>
public enum WireReadKind
{
    /// <summary>A whole line, ended by '\n' (the '\n', and a '\r' before it, removed).</summary>
    Line,

    /// <summary>A line longer than the limit: its bytes were skipped up to its '\n' and are not returned.</summary>
    Oversized,

    /// <summary>The stream ended in the middle of a line: those bytes are not a message and are not returned.</summary>
    HalfLine,

    /// <summary>The stream ended after a whole line (or was empty).</summary>
    End,
}

/// <summary>One read: its kind, the line's text (for <see cref="WireReadKind.Line"/> only) and how many bytes it had.</summary>
public readonly record struct WireRead(WireReadKind Kind, string? Text, long Bytes)
{
    /// <summary>Why the bytes were refused, for the worker's stderr tail; null for a whole line or the end.</summary>
    public string? Problem => Kind switch
    {
        WireReadKind.Oversized => $"a line of more than {Bytes:N0} bytes (the limit) was discarded",
        WireReadKind.HalfLine => $"the stream ended inside a line; its {Bytes:N0} bytes were discarded",
        _ => null,
    };
}

/// <summary>
/// Reads '\n'-terminated lines from a worker's stream holding at most <c>maxLineBytes</c> of one line in memory.
/// A worker that writes an endless line costs the monitor a bounded buffer, not its memory, and only whole lines
/// are ever handed on: a line cut off by the worker's death is reported, never parsed. Invalid UTF-8 decodes to
/// replacement characters (and so is garbage to <see cref="Wire.TryParse(string?, out string, out System.Text.Json.Nodes.JsonObject)"/>), never to an exception.
/// </summary>
public sealed class WireLineReader
{
    private const int ChunkBytes = 8192;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private readonly bool _decode;
    private readonly byte[] _chunk = new byte[ChunkBytes];
    private readonly ArrayBufferWriter<byte> _line = new(256);
    private int _chunkStart;
    private int _chunkEnd;
    private bool _ended;

    /// <param name="decode">
    /// False: a line's text is not made (<see cref="WireRead.Text"/> is null) and its bytes are read from
    /// <see cref="LastLine"/> instead. The monitor parses its workers' messages straight from UTF-8: as a string a
    /// line took twice its bytes, and a checkpoint's answers or a page of outputs made that a large object for every
    /// message, garbage only a full collection takes back.
    /// </param>
    public WireLineReader(Stream stream, int maxLineBytes = Wire.MaxLineLength, bool decode = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 1);
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _decode = decode;
    }

    /// <summary>The last line read's bytes ('\n' and a '\r' before it removed), valid until the next read.</summary>
    public ReadOnlySpan<byte> LastLine
    {
        get
        {
            var bytes = _line.WrittenSpan;
            return bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes[..^1] : bytes;
        }
    }

    public async ValueTask<WireRead> ReadAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return new WireRead(WireReadKind.End, null, 0);
        }

        _line.ResetWrittenCount();
        long skipped = 0;
        while (true)
        {
            if (_chunkStart == _chunkEnd)
            {
                _chunkStart = 0;
                _chunkEnd = await _stream.ReadAsync(_chunk, cancellationToken);
                if (_chunkEnd == 0)
                {
                    _ended = true;
                    var partial = skipped + _line.WrittenCount;
                    return partial == 0 ? new WireRead(WireReadKind.End, null, 0)
                        : skipped > 0 ? new WireRead(WireReadKind.Oversized, null, _maxLineBytes)
                        : new WireRead(WireReadKind.HalfLine, null, partial);
                }
            }

            var newline = Array.IndexOf(_chunk, (byte)'\n', _chunkStart, _chunkEnd - _chunkStart);
            var take = (newline < 0 ? _chunkEnd : newline) - _chunkStart;
            if (skipped > 0 || _line.WrittenCount + take > _maxLineBytes)
            {
                // Past the limit: drop what was kept and what follows until the line ends.
                skipped += _line.WrittenCount + take;
                _line.ResetWrittenCount();
            }
            else
            {
                _line.Write(_chunk.AsSpan(_chunkStart, take));
            }

            _chunkStart += take;
            if (newline < 0)
            {
                continue;
            }

            _chunkStart++;
            if (skipped > 0)
            {
                return new WireRead(WireReadKind.Oversized, null, _maxLineBytes);
            }

            return new WireRead(WireReadKind.Line, _decode ? Utf8.GetString(LastLine) : null, _line.WrittenCount);
        }
    }
}
