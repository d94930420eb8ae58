using System.Text.Json;
using HeavyJobs.Core.Definitions;

namespace HeavyJobs.Runtime.Jobs;

/// <summary>Turns a job's split into chunk inputs, lazily, so a ten-million-chunk job streams into the store.</summary>
public static class ChunkSplitter
{
    /// <param name="split">The job's split.</param>
    /// <param name="baseDirectory">Relative file paths in the split are read from here (the job file's folder).</param>
    public static IEnumerable<string> Inputs(ChunkSplit split, string baseDirectory) => split switch
    {
        ChunkSplit.Range r => Range(r),
        ChunkSplit.Keys k => KeyGroups(k.Items, k.Size),
        ChunkSplit.KeysFile f => KeyGroups(ReadKeys(Resolve(f.Path, baseDirectory)), f.Size),
        ChunkSplit.FileSlices f => FileSlices(Resolve(f.Path, baseDirectory), f.Bytes),
        ChunkSplit.Inputs i => i.Items,
        ChunkSplit.StaleKeys => throw new ArgumentException("stale keys are read from the store: submit the job with JobSubmitter", nameof(split)),
        _ => throw new ArgumentOutOfRangeException(nameof(split)),
    };

    /// <summary>
    /// The most chunks a file split can give (null for splits the job file's parser already bounds): read before
    /// anything is stored, so a huge file cut too fine is refused whole instead of filling the store.
    /// </summary>
    public static long? MostChunks(ChunkSplit split, string baseDirectory) => split switch
    {
        ChunkSplit.FileSlices f => CeilingDivide(new FileInfo(Resolve(f.Path, baseDirectory)).Length, f.Bytes),
        ChunkSplit.KeysFile f => CeilingDivide(ReadKeys(Resolve(f.Path, baseDirectory)).LongCount(), f.Size),
        _ => null,
    };

    // Without n + d - 1, which overflows for a size near long.MaxValue.
    private static long CeilingDivide(long n, long d) => (n / d) + (n % d == 0 ? 0 : 1);

    private static IEnumerable<string> Range(ChunkSplit.Range r)
    {
        for (var start = r.Start; start < r.End; start += Math.Min(r.Size, r.End - start))
        {
            var end = Math.Min(r.End, start + r.Size);
            yield return $$"""{"start":{{start}},"end":{{end}}}""";
        }
    }

    public static IEnumerable<string> KeyGroups(IEnumerable<string> keys, int size) =>
        keys.Chunk(size).Select(group => JsonSerializer.Serialize(new KeyGroupInput(group), SplitJsonContext.Default.KeyGroupInput));

    private static IEnumerable<string> ReadKeys(string path) => KeyLines(File.ReadLines(path));

    /// <summary>The keys of a key file's lines: trimmed, without blank lines and # comments.</summary>
    public static IEnumerable<string> KeyLines(IEnumerable<string> lines) =>
        lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));

    /// <summary>Slices of about <paramref name="bytes"/> each, every one ending just after a newline (or at the end of the file).</summary>
    private static IEnumerable<string> FileSlices(string path, long bytes)
    {
        var length = new FileInfo(path).Length;
        using var stream = File.OpenRead(path);
        long offset = 0;
        while (offset < length)
        {
            var end = Math.Min(length, offset + bytes);
            if (end < length)
            {
                stream.Position = end - 1;
                int b;
                while ((b = stream.ReadByte()) != -1 && b != '\n')
                {
                }

                end = stream.Position;
            }

            yield return JsonSerializer.Serialize(new FileSliceInput(path, offset, end - offset), SplitJsonContext.Default.FileSliceInput);
            offset = end;
        }
    }

    private static string Resolve(string path, string baseDirectory) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));
}
