using System.Globalization;
using HeavyJobs.Whois.Pipeline;

namespace HeavyJobs.Whois.Tests.Pipeline;

public sealed class CounterRunsTests
{
    [Theory]
    [InlineData(1_000_000)] // never spills
    [InlineData(50)]        // a few runs
    [InlineData(3)]         // more runs than are kept open: merged into one along the way
    public void Every_key_comes_once_in_order_with_its_total_however_often_it_spilled(int spillAt)
    {
        var random = new Random(17);
        var expected = new Dictionary<string, long>(StringComparer.Ordinal);
        using var runs = new CounterRuns(spillAt);
        for (var i = 0; i < 5_000; i++)
        {
            // Skewed: a few keys often (each lands in many runs), many keys once or twice.
            var key = random.Next(4) == 0 ? $"k|{random.Next(5)}" : $"k|{random.Next(2_000)}é";
            var count = random.Next(1, 4);
            runs.Add(key, count);
            expected[key] = expected.GetValueOrDefault(key) + count;
        }

        var merged = runs.Merged().ToList();

        Assert.Equal(expected.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => (x.Key, x.Value)), merged);
        if (spillAt == 3)
        {
            Assert.True(runs.Spilled > CounterRuns.MaxRuns, $"{runs.Spilled} runs");
        }
        else if (spillAt == 1_000_000)
        {
            Assert.Equal(0, runs.Spilled);
        }
    }

    [Fact]
    public void Its_runs_leave_no_file_behind_even_while_open()
    {
        // A directory of its own: the other tests of this process make runs in the temporary one meanwhile.
        var directory = Directory.CreateTempSubdirectory("heavyjobs-counter-runs-").FullName;
        using var runs = new CounterRuns(2, directory);
        for (var i = 0; i < 100; i++)
        {
            runs.Add(i.ToString(CultureInfo.InvariantCulture));
        }

        Assert.True(runs.Spilled >= 50);
        // Unlinked when made, read through the handle: a worker killed now leaves nothing on disk.
        Assert.Empty(Directory.GetFiles(directory));
        Assert.Equal(100, runs.Merged().Count());
        Directory.Delete(directory);
    }
}
