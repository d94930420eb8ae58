using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace HeavyJobs.Whois.Client;

/// <summary>
/// Decodes WHOIS bytes: RFC 3912 names no character set, so UTF-8 is tried first and Latin-1 (which accepts any
/// byte) is the fallback for the legacy servers that still answer in it; a byte-order mark is believed.
/// </summary>
internal static class WhoisTextDecoder
{
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("\uFEFF"u8))
            bytes = bytes[3..];
        // A byte-order mark says UTF-16 (a server on Windows writing its strings as they are in memory): read as
        // UTF-8 or Latin-1, every other byte would be a NUL.
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
            return Encoding.Unicode.GetString(bytes[2..]);
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            return Encoding.BigEndianUnicode.GetString(bytes[2..]);

        var chars = ArrayPool<char>.Shared.Rent(Math.Max(bytes.Length, 1));
        try
        {
            // isFinalBlock: false tells an answer cut inside a multi-byte character (by the size limit or a
            // server closing early) from a genuinely non-UTF-8 one: the former keeps its UTF-8 text.
            var status = Utf8.ToUtf16(bytes, chars, out var read, out var written, replaceInvalidSequences: false, isFinalBlock: false);
            return status switch
            {
                System.Buffers.OperationStatus.Done => new string(chars, 0, written),
                System.Buffers.OperationStatus.NeedMoreData when bytes.Length - read < 4 => new string(chars, 0, written) + "\uFFFD",
                _ => Encoding.Latin1.GetString(bytes),
            };
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
