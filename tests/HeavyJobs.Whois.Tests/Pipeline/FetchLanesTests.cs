using System.Collections.Concurrent;
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
        lanes.Turned("hung");

        // Only "ok" finishes, again and again: its lane widens, "hung" keeps its one query, and every other
        // domain of "ok" goes out.
        var okDone = 0;
        while (started.Any(s => s.Server == "ok"))
        {
            foreach (var s in started.Where(s => s.Server == "ok"))
            {
                lanes.Turned("ok");
                lanes.Answered("ok");
                lanes.Finished("ok", turned: true);
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
    public void A_lane_widens_as_answers_come_and_narrows_when_the_server_fails()
    {
        var lanes = new FetchLanes(maxInFlight: 64, widest: 8);
        for (var i = 0; i < 100; i++)
            lanes.Add("s", i);

        // Answers widen the lane before the lookups end (a referral may still be on its way).
        for (var i = 0; i < 20; i++)
        {
            StartAllTurned(lanes);
            lanes.Answered("s");
        }

        Assert.Equal(8, lanes.WidthOf("s"));
        for (var i = 0; i < 20; i++)
            lanes.Finished("s", turned: true);
        for (var i = 0; i < 20; i++)
        {
            StartAllTurned(lanes);
            lanes.Answered("s");
            lanes.Finished("s", turned: true);
        }

        StartAllTurned(lanes);
        Assert.Equal(8, lanes.WidthOf("s"));
        Assert.Equal(8, lanes.InFlight);

        lanes.Finished("s", turned: true, failed: true);
        lanes.Finished("s", turned: true, failed: true);
        lanes.Finished("s", turned: true, failed: true);

        Assert.Equal(5, lanes.WidthOf("s"));
        Assert.Empty(StartAll(lanes));
    }

    [Fact]
    public void A_lane_keeps_one_query_waiting_for_its_turn_and_starts_the_next_when_it_gets_one()
    {
        var lanes = new FetchLanes(maxInFlight: 64, widest: 8);
        for (var i = 0; i < 100; i++)
            lanes.Add("s", i);
        for (var i = 0; i < 8; i++)
        {
            StartAllTurned(lanes);
            lanes.Answered("s");
            lanes.Finished("s", turned: true);
        }

        for (var i = 0; i < 5; i++)
            lanes.Finished("s", turned: true);

        // Wide enough for eight with two in flight, yet a query waiting for its turn (the fleet holds the server's slots) is the
        // only one started until it gets that turn; it then holds a slot and the next one waits in its place.
        Assert.Equal(8, lanes.WidthOf("s"));
        Assert.Single(StartAll(lanes));
        Assert.Empty(StartAll(lanes));
        lanes.Turned("s");
        Assert.Single(StartAll(lanes));

        // A query that ends before its turn (cancelled, no server) leaves no waiting query behind it.
        lanes.Finished("s", turned: false);
        Assert.Single(StartAll(lanes));
        Assert.Equal(4, lanes.InFlight);
    }

    [Fact]
    public void A_chunk_starts_its_lanes_as_wide_as_the_fetchers_last_chunk_left_them()
    {
        var learned = new ConcurrentDictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var first = new FetchLanes(maxInFlight: 64, widest: 8, learned);
        for (var i = 0; i < 20; i++)
        {
            first.Add("busy", i);
            first.Add("failing", 100 + i);
        }

        for (var i = 0; i < 5; i++)
        {
            StartAllTurned(first);
            first.Answered("busy");
            first.Answered("failing");
        }

        first.Finished("failing", turned: true, failed: true);
        first.Finished("failing", turned: true, failed: true);

        var next = new FetchLanes(maxInFlight: 64, widest: 5, learned);
        var fresh = new FetchLanes(maxInFlight: 64, widest: 8);
        foreach (var lanes in (FetchLanes[])[next, fresh])
        {
            lanes.Add("busy", 0);
            lanes.Add("failing", 1);
        }

        // Six wide, but this job allows five at once; two failures narrowed the other lane from six to four.
        Assert.Equal(5, next.WidthOf("busy"));
        Assert.Equal(4, next.WidthOf("failing"));
        Assert.Equal(1, fresh.WidthOf("busy"));
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

        lanes.Finished("a", turned: false);
        Assert.Equal(["d"], StartAll(lanes).Select(s => s.Server));
        Assert.Equal(3, lanes.MostInFlight);
    }

    /// <summary>Starts what the lanes allow, each query getting its turn at once (the server has room).</summary>
    private static void StartAllTurned(FetchLanes lanes)
    {
        while (lanes.TryStart(out var server, out _))
            lanes.Turned(server);
    }

    private static List<(string Server, int Index)> StartAll(FetchLanes lanes)
    {
        var started = new List<(string, int)>();
        while (lanes.TryStart(out var server, out var index))
            started.Add((server, index));
        return started;
    }
}
