using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace HeavyJobs.Whois.Client;

/// <summary>
/// Decodes WHOIS bytes: RFC 3912 names no character set, so UTF-8 is tried first and Latin-1 (which accepts any
/// byte) is the fallback for the legacy servers that still answer in it.
/// </summary>
internal static class WhoisTextDecoder
{
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("\uFEFF"u8))
            bytes = bytes[3..];

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
