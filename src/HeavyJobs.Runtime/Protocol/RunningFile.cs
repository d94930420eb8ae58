using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace HeavyJobs.Runtime.Protocol;

/// <summary>
/// Which chunks a worker's handlers are running, kept in a small file its monitor makes and reads only once the
/// worker is dead (docs/worker-protocol.md). The worker maps it and writes a chunk's id into a cell before the
/// handler starts: one store to memory per chunk, no system call and nothing for the monitor to read meanwhile,
/// and the page outlives the process, so a handler that kills its worker the instant it starts is still known
/// to have run. The pipe would do too, but a line per chunk costs the monitor a wake-up per chunk.
/// Layout: <see cref="Cells"/> little-endian 64-bit cells. Cell 0 is 0 until the worker keeps the others (then
/// <see cref="Kept"/>), or <see cref="GaveUp"/> if it could not; cells 1 and up hold the ids of the chunks whose
/// handlers run, 0 when free.
/// </summary>
public sealed class RunningFile : IDisposable
{
    public const int Size = 4096;

    public const int Cells = Size / sizeof(long);

    public const long Kept = 1;

    public const long GaveUp = 2;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly Lock _lock = new();

    /// <summary>What each cell holds, so the mapping is only ever written, never read back.</summary>
    private readonly long[] _cells = new long[Cells];

    /// <summary>One past the highest cell ever used: the cells a change looks at.</summary>
    private int _end = 1;
    private bool _gaveUp;

    private RunningFile(MemoryMappedFile file, MemoryMappedViewAccessor view)
    {
        _file = file;
        _view = view;
    }

    /// <summary>The monitor's side: an empty file for one worker, before the worker starts.</summary>
    public static void Create(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        file.SetLength(Size);
    }

    /// <summary>
    /// The monitor's side, once the worker's process has ended: the chunks it was running; null when that is not
    /// known (it never kept the file, gave up on it, or the file is gone), and every chunk it held counts its death.
    /// </summary>
    public static IReadOnlyCollection<long>? Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (bytes.Length < Size || BinaryPrimitives.ReadInt64LittleEndian(bytes) != Kept)
        {
            return null;
        }

        var running = new List<long>();
        for (var i = 1; i < Cells; i++)
        {
            if (BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * sizeof(long))) is var id and not 0)
            {
                running.Add(id);
            }
        }

        return running;
    }

    /// <summary>The worker's side: maps the file its monitor made, and says it keeps it.</summary>
    public static RunningFile Open(string path)
    {
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, Size, MemoryMappedFileAccess.ReadWrite);
        try
        {
            var running = new RunningFile(file, file.CreateViewAccessor(0, Size, MemoryMappedFileAccess.ReadWrite));
            running.Write(0, Kept);
            return running;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Records the chunks whose handlers run now (the caller passes the whole set each time). A chunk still running
    /// keeps its cell; a new one takes the cell of one that has finished, in one store, so at every instant each
    /// running chunk is in some cell (a finished one may linger a moment, which only counts a death too many).
    /// </summary>
    public void Set(IReadOnlyCollection<long> running)
    {
        lock (_lock)
        {
            if (_gaveUp)
            {
                return;
            }

            foreach (var id in running)
            {
                if (Array.IndexOf(_cells, id, 1, _end - 1) >= 0)
                {
                    continue;
                }

                var cell = 1;
                while (cell < _end && _cells[cell] != 0 && running.Contains(_cells[cell]))
                {
                    cell++;
                }

                if (cell == Cells)
                {
                    // More chunks at once than cells: say so, and the monitor counts a death for all it held.
                    _gaveUp = true;
                    Write(0, GaveUp);
                    return;
                }

                _end = Math.Max(_end, cell + 1);
                Write(cell, id);
            }

            for (var cell = 1; cell < _end; cell++)
            {
                if (_cells[cell] != 0 && !running.Contains(_cells[cell]))
                {
                    Write(cell, 0);
                }
            }
        }
    }

    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }

    private void Write(int cell, long value)
    {
        _cells[cell] = value;
        _view.Write(cell * sizeof(long), BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value));
    }
}
