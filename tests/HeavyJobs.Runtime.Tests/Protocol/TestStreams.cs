using System.Runtime.InteropServices;

namespace HeavyJobs.Runtime.Tests.Protocol;

/// <summary>A read-only stream over bytes that hands them out in the given slice sizes, as a pipe may.</summary>
internal sealed class SlicedStream(byte[] data, int[] slices) : ReadOnlyStream
{
    private int _position;
    private int _slice;

    public override int Read(byte[] buffer, int offset, int count)
    {
        var size = slices.Length == 0 ? count : slices[_slice++ % slices.Length];
        var n = Math.Min(Math.Min(size, count), data.Length - _position);
        Array.Copy(data, _position, buffer, offset, n);
        _position += n;
        return n;
    }
}

/// <summary><paramref name="count"/> copies of one byte, then a tail: an endless line without holding it in memory.</summary>
internal sealed class RepeatingStream(byte value, long count, byte[] tail) : ReadOnlyStream
{
    private long _position;

    public override int Read(byte[] buffer, int offset, int count1)
    {
        if (_position < count)
        {
            var n = (int)Math.Min(count1, count - _position);
            Array.Fill(buffer, value, offset, n);
            _position += n;
            return n;
        }

        var rest = (int)Math.Min(count1, count + tail.Length - _position);
        Array.Copy(tail, _position - count, buffer, offset, rest);
        _position += rest;
        return rest;
    }
}

internal abstract class ReadOnlyStream : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    // Synchronous underneath: Stream's own ReadAsync would run each read on the thread pool, and the property
    // tests, which wait on their reads, then waited for a pool thread per read behind the process tests (44 s
    // in a full run for what takes half a second alone).
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (MemoryMarshal.TryGetArray<byte>(buffer, out var segment))
        {
            return ValueTask.FromResult(Read(segment.Array!, segment.Offset, segment.Count));
        }

        var array = new byte[buffer.Length];
        var n = Read(array, 0, array.Length);
        array.AsSpan(0, n).CopyTo(buffer.Span);
        return ValueTask.FromResult(n);
    }
}
