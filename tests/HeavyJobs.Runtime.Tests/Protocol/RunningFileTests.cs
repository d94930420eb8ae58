using System.Buffers.Binary;
using HeavyJobs.Runtime.Protocol;

namespace HeavyJobs.Runtime.Tests.Protocol;

public sealed class RunningFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-running-tests", Guid.NewGuid().ToString("N"));

    public RunningFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Read_AFileItsWorkerNeverKept_OrNoFile_IsUnknown()
    {
        var path = Path.Combine(_dir, "1");
        RunningFile.Create(path);

        Assert.Null(RunningFile.Read(path));
        Assert.Null(RunningFile.Read(Path.Combine(_dir, "missing")));
    }

    [Fact]
    public void Set_ARunningChunkKeepsItsCell_ANewOneTakesAFinishedOnesCell_AndReadGivesTheLastSet()
    {
        var path = Path.Combine(_dir, "2");
        RunningFile.Create(path);
        using (var running = RunningFile.Open(path))
        {
            Assert.Empty(RunningFile.Read(path)!);
            running.Set([11]);
            Assert.Equal([11L], RunningFile.Read(path));
            running.Set([11, 12]);
            var cellOf12 = CellOf(path, 12);

            // 11 finished and 13 started: 13 takes 11's cell in one store; 12, still running, never moves.
            running.Set([12, 13]);
            Assert.Equal([12L, 13L], RunningFile.Read(path)!.Order());
            Assert.Equal(cellOf12, CellOf(path, 12));
            Assert.Equal(1, CellOf(path, 13));

            running.Set([14]);
            Assert.Equal([14L], RunningFile.Read(path));
        }

        // What the worker wrote last is still there once it is gone (the monitor reads it after the death).
        Assert.Equal([14L], RunningFile.Read(path));
    }

    [Fact]
    public void Set_MoreChunksAtOnceThanCells_GivesUp_SoTheDeathCountsForEverything()
    {
        var path = Path.Combine(_dir, "3");
        RunningFile.Create(path);
        using var running = RunningFile.Open(path);

        running.Set([.. Enumerable.Range(1, RunningFile.Cells).Select(i => (long)i)]);
        running.Set([1]);

        Assert.Null(RunningFile.Read(path));
    }

    private static int CellOf(string path, long id)
    {
        var bytes = File.ReadAllBytes(path);
        return Enumerable.Range(1, RunningFile.Cells - 1).Single(i => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * sizeof(long))) == id);
    }
}
