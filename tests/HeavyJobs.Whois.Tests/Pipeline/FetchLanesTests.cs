using HeavyJobs.Whois.Pipeline;

namespace HeavyJobs.Whois.Tests.Pipeline;

public sealed class FetchLanesTests
{
    [Fact]
    public void A_server_whose_queries_never_finish_fills_only_its_own_lane()
    {
        var lanes = new FetchLanes(maxInFlight: 4, widest: 8);
        for (var i = 0; i < 10; i++)
        {
            lanes.Add("hung", i);
            lanes.Add("ok", 100 + i);
        }

        var started = StartAll(lanes);
        Assert.Equal(["hung", "ok"], started.Select(s => s.Server).Order());

        // Only "ok" finishes, again and again: its lane widens, "hung" keeps its one query, and every other
        // domain of "ok" goes out.
        var okDone = 0;
        while (started.Any(s => s.Server == "ok"))
        {
            foreach (var s in started.Where(s => s.Server == "ok"))
            {
                lanes.Finished("ok", queued: false);
                okDone++;
            }

            started = StartAll(lanes);
            Assert.DoesNotContain(started, s => s.Server == "hung");
        }

        Assert.Equal(10, okDone);
        Assert.Equal(1, lanes.InFlight);
        Assert.Equal(9, lanes.Pending);
    }

    [Fact]
    public void A_lane_widens_while_turns_come_at_once_and_narrows_when_they_queue()
    {
        var lanes = new FetchLanes(maxInFlight: 64, widest: 8);
        for (var i = 0; i < 100; i++)
            lanes.Add("s", i);

        for (var i = 0; i < 20; i++)
        {
            StartAll(lanes);
            lanes.Finished("s", queued: false);
        }

        StartAll(lanes);
        Assert.Equal(8, lanes.WidthOf("s"));
        Assert.Equal(8, lanes.InFlight);

        lanes.Finished("s", queued: true);
        lanes.Finished("s", queued: true);
        lanes.Finished("s", queued: false, failed: true);

        Assert.Equal(5, lanes.WidthOf("s"));
        Assert.Empty(StartAll(lanes));
    }

    [Fact]
    public void The_cap_holds_over_all_lanes_and_the_lanes_take_turns()
    {
        var lanes = new FetchLanes(maxInFlight: 3, widest: 8);
        foreach (var server in (string[])["a", "b", "c", "d"])
        {
            for (var i = 0; i < 5; i++)
                lanes.Add(server, i);
        }

        var first = StartAll(lanes);
        Assert.Equal(["a", "b", "c"], first.Select(s => s.Server));

        lanes.Finished("a", queued: false);
        Assert.Equal(["d"], StartAll(lanes).Select(s => s.Server));
        Assert.Equal(3, lanes.MostInFlight);
    }

    private static List<(string Server, int Index)> StartAll(FetchLanes lanes)
    {
        var started = new List<(string, int)>();
        while (lanes.TryStart(out var server, out var index))
            started.Add((server, index));
        return started;
    }
}
