using HeavyJobs.Whois.Pipeline;

namespace HeavyJobs.Whois.Tests.Pipeline;

public sealed class FetchProgressTests
{
    [Fact]
    public void Domains_done_out_of_order_give_the_prefix_and_the_ranges_beyond_it()
    {
        var progress = FetchProgress.Parse(null, 20);
        foreach (var i in (int[])[0, 1, 3, 5, 6, 7, 12])
            progress.MarkDone(i);

        Assert.Equal("2;3,5-7,12", progress.ToString());
        Assert.Equal(7, progress.Done);
    }

    [Fact]
    public void The_cursor_read_back_names_exactly_the_domains_done()
    {
        var done = new HashSet<int> { 0, 1, 2, 4, 9, 10, 11, 19 };
        var progress = FetchProgress.Parse(null, 20);
        foreach (var i in done)
            progress.MarkDone(i);

        var resumed = FetchProgress.Parse(progress.ToString(), 20);

        Assert.Equal(done.Order(), Enumerable.Range(0, 20).Where(resumed.IsDone));
        Assert.Equal(3, resumed.Prefix);
    }

    [Fact]
    public void The_gap_filled_folds_the_ranges_into_the_prefix()
    {
        var progress = FetchProgress.Parse("2;3,5-7", 8);

        progress.MarkDone(2);
        progress.MarkDone(4);

        Assert.Equal("8", progress.ToString());
        Assert.True(progress.AllDone);
    }

    [Fact]
    public void A_plain_position_from_the_sequential_fetcher_is_its_prefix()
    {
        var progress = FetchProgress.Parse("30", 40);

        Assert.True(progress.IsDone(29));
        Assert.False(progress.IsDone(30));
        Assert.Equal("30", progress.ToString());
    }

    [Fact]
    public void A_domain_done_twice_is_refused_rather_than_committed_twice()
    {
        var progress = FetchProgress.Parse("3;5", 10);

        Assert.Throws<InvalidOperationException>(() => progress.MarkDone(1));
        Assert.Throws<InvalidOperationException>(() => progress.MarkDone(5));
    }
}
