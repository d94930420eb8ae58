using HeavyJobs.TestSupport.Chaos;

namespace HeavyJobs.Fleet.Tests.Fleet;

/// <summary>The chaos runner's stale-write count, on hand-made histories: it must see a fenced holder's write.</summary>
public sealed class ChaosVerdictTests
{
    private const long A = 7;
    private const long B = 9;

    [Fact]
    public void HoldersTakingOverInOrder_FromTheCommittedCursor_AreNoStaleWrite() =>
        Assert.Equal(0, ChaosVerdict.StaleCopies([A, B], Copies((0, 50, A), (50, 100, B))));

    [Fact]
    public void AFencedHolderWritingItemsItsSuccessorAlsoWrote_CountsEachOfItsCopiesStale() =>
        Assert.Equal(10, ChaosVerdict.StaleCopies([A, B], Copies((0, 50, A), (50, 100, B), (50, 60, A))));

    [Fact]
    public void AFencedHolderWritingPastItsSuccessor_WithNoDuplicate_IsStillStale() =>
        Assert.Equal(10, ChaosVerdict.StaleCopies([A, B], Copies((0, 50, B), (50, 60, A), (60, 100, B))));

    [Fact]
    public void AWriterThatNeverHeldTheChunk_IsStale() =>
        Assert.Equal(1, ChaosVerdict.StaleCopies([A], Copies((0, 10, A), (10, 11, 42))));

    [Fact]
    public void AWorkerHoldingTheChunkAgainAfterAnother_IsNoStaleWrite() =>
        Assert.Equal(0, ChaosVerdict.StaleCopies([A, B, A], Copies((0, 20, A), (20, 40, B), (40, 60, A))));

    private static SortedDictionary<long, List<long>> Copies(params (long From, long To, long Writer)[] runs)
    {
        var copies = new SortedDictionary<long, List<long>>();
        foreach (var (from, to, writer) in runs)
        {
            for (var i = from; i < to; i++)
            {
                if (!copies.TryGetValue(i, out var list))
                {
                    copies[i] = list = [];
                }

                list.Add(writer);
            }
        }

        return copies;
    }
}
