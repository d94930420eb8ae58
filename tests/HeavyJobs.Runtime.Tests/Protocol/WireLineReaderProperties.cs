using System.Text;
using FsCheck;
using FsCheck.Fluent;
using HeavyJobs.Runtime.Protocol;

namespace HeavyJobs.Runtime.Tests.Protocol;

/// <summary>
/// The monitor's reader of a worker's output, for any bytes a worker can write and however the pipe splits them:
/// it never throws, hands on exactly the whole lines within the limit (never a half line), and reports each
/// oversized or cut-off line instead of returning it. The expected reads come from a plain split on '\n'.
/// </summary>
public sealed class WireLineReaderProperties
{
    private const int Limit = 16;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void AnyBytesInAnySlices_GiveExactlyTheWholeLinesWithinTheLimit()
    {
        // Bytes biased toward the ones that matter ('\n', '\r', '{', '"') so lines and edges are common.
        var bytes = Gen.Frequency(
            (6, Gen.Choose(0, 255).Select(b => (byte)b)),
            (3, Gen.Constant((byte)'\n')),
            (1, Gen.Constant((byte)'\r')),
            (1, Gen.Elements((byte)'{', (byte)'"', (byte)'}')));
        var cases =
            from length in Gen.Choose(0, 120)
            from data in Gen.ArrayOf(bytes, length)
            from slices in Gen.ArrayOf(Gen.Choose(1, 40), 60)
            select (data, slices);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(500).WithQuietOnSuccess(true),
            Prop.ForAll(Arb.From(cases), c =>
            {
                Assert.Equal(Expected(c.data), ReadAll(c.data, c.slices, decode: true));
                // Undecoded (the monitor's way), each whole line's bytes are the reader's last line instead.
                Assert.Equal(Expected(c.data), ReadAll(c.data, c.slices, decode: false));
            }));
    }

    [Fact]
    public void AnyLineAtAll_TryParseNeverThrows_AndTakesOnlyObjectsWithAStringType()
    {
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(500).WithQuietOnSuccess(true),
            Prop.ForAll(Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))), data =>
            {
                var line = Encoding.UTF8.GetString(data);
                Assert.False(Wire.TryParse(line, out _, out _) && !line.Contains("\"type\"", StringComparison.Ordinal));
                Assert.False(Wire.TryParse(data, out _, out _) && !line.Contains("\"type\"", StringComparison.Ordinal));
            }));
        foreach (var hostile in new[] { "{\"type\":1}", "[\"type\"]", "{\"type\":\"hello\"", new string('[', 10_000), "{\"type\":null}", "\"type\"", " ", "" })
        {
            Assert.False(Wire.TryParse(hostile, out _, out _), hostile[..Math.Min(20, hostile.Length)]);
            Assert.False(Wire.TryParse(Encoding.UTF8.GetBytes(hostile), out _, out _), hostile[..Math.Min(20, hostile.Length)]);
        }

        // Bytes that are not UTF-8 inside a well-formed message: garbage, not a value that throws when it is read.
        foreach (var notUtf8 in new[] { (byte[])[.. "{\"type\":\"he"u8, 0xff, .. "\"}"u8], [.. "{\"type\":\"hello\",\"version\":\""u8, 0xc3, 0x28, .. "\"}"u8] })
        {
            Assert.False(Wire.TryParse(notUtf8, out _, out _));
        }

        Assert.True(Wire.TryParse("{\"type\":\"heartbeat\",\"chunks\":[\"x\",{},1.5]}", out var type, out _));
        Assert.Equal("heartbeat", type);
    }

    [Fact]
    public async Task AnEndlessLine_IsDiscardedWithinTheLimit_AndTheNextLineStillArrives()
    {
        // 64 MiB with no newline then one good line: the reader keeps at most the limit in memory.
        var stream = new RepeatingStream((byte)'x', 64L << 20, "\n{\"type\":\"bye\"}\n"u8.ToArray());
        var reader = new WireLineReader(stream, maxLineBytes: 1 << 20);

        var first = await reader.ReadAsync(Ct);
        Assert.Equal(WireReadKind.Oversized, first.Kind);
        Assert.Contains("more than 1,048,576 bytes", first.Problem, StringComparison.Ordinal);
        Assert.Equal(new WireRead(WireReadKind.Line, "{\"type\":\"bye\"}", 14), await reader.ReadAsync(Ct));
        Assert.Equal(WireReadKind.End, (await reader.ReadAsync(Ct)).Kind);
    }

    [Fact]
    public async Task AHalfLineAtTheEnd_IsReported_NeverReturned()
    {
        var reader = new WireLineReader(new MemoryStream("{\"type\":\"hello\"}\n{\"type\":\"heartbeat\",\"chu"u8.ToArray()));
        Assert.Equal(WireReadKind.Line, (await reader.ReadAsync(Ct)).Kind);
        var half = await reader.ReadAsync(Ct);
        Assert.Equal(WireReadKind.HalfLine, half.Kind);
        Assert.Null(half.Text);
        Assert.Contains("ended inside a line", half.Problem, StringComparison.Ordinal);
        Assert.Equal(WireReadKind.End, (await reader.ReadAsync(Ct)).Kind);
    }

    [Fact]
    public async Task AMessageSerializedToALine_IsOneLineOfUtf8_ReadBackAsItWas()
    {
        var text = "line\nbreak, \"quoted\", ü, 日本, \u2028 and a tab\t";
        using var line = Wire.SerializeLine(new WireErrorMessage(7, text));
        var bytes = line.ToArray();
        Assert.Equal((byte)'\n', bytes[^1]);
        Assert.Equal(1, bytes.Count(b => b == (byte)'\n'));

        var reader = new WireLineReader(new MemoryStream(bytes), decode: false);
        Assert.Equal(WireReadKind.Line, (await reader.ReadAsync(Ct)).Kind);
        Assert.True(Wire.TryParse(reader.LastLine, out var type, out var body));
        Assert.Equal(("error", 7L, text), (type, body.Long("seq"), body.Str("error")));
        Assert.Equal(WireReadKind.End, (await reader.ReadAsync(Ct)).Kind);
    }

    private static List<WireRead> Expected(byte[] data)
    {
        var reads = new List<WireRead>();
        var start = 0;
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] != (byte)'\n')
            {
                continue;
            }

            var line = data.AsSpan(start, i - start);
            reads.Add(line.Length > Limit
                ? new WireRead(WireReadKind.Oversized, null, Limit)
                : new WireRead(WireReadKind.Line, Encoding.UTF8.GetString(line.EndsWith("\r"u8) ? line[..^1] : line), line.Length));
            start = i + 1;
        }

        if (start < data.Length)
        {
            var rest = data.Length - start;
            reads.Add(rest > Limit ? new WireRead(WireReadKind.Oversized, null, Limit) : new WireRead(WireReadKind.HalfLine, null, rest));
        }

        reads.Add(new WireRead(WireReadKind.End, null, 0));
        return reads;
    }

    private static List<WireRead> ReadAll(byte[] data, int[] slices, bool decode)
    {
        var reader = new WireLineReader(new SlicedStream(data, slices), Limit, decode);
        var reads = new List<WireRead>();
        for (var i = 0; i <= data.Length + 1; i++)
        {
            var read = reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            if (!decode && read.Kind == WireReadKind.Line)
            {
                Assert.Null(read.Text);
                read = read with { Text = Encoding.UTF8.GetString(reader.LastLine) };
            }

            reads.Add(read);
            if (read.Kind == WireReadKind.End)
            {
                // Reading past the end stays at the end.
                Assert.Equal(WireReadKind.End, reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult().Kind);
                return reads;
            }
        }

        throw new Xunit.Sdk.XunitException("the reader never reached the end");
    }
}
