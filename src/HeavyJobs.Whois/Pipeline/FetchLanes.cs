namespace HeavyJobs.Whois.Pipeline;

/// <summary>
/// Decides which of a chunk's domains a fetcher starts next. Each registry server has a lane: its domains, in
/// chunk order, and how many of them may be in flight at once (its width). A domain starts only when its lane
/// has room and the fetcher is under its cap, lanes taking turns, so a server that is slow or hangs fills its
/// own lane and never the fetcher: the other servers' domains keep going.
/// </summary>
/// <remarks>
/// A lane's width follows the turns its server hands out: it starts at one, grows by one with each query that
/// got its turn without queueing behind others, and shrinks by one with each that had to queue (other
/// fetchers of the fleet hold the server's slots, or its rate spaces the starts). More queries waiting for
/// the same turns would not fetch faster; they would only ask the store for turns more often. A query that
/// never finishes never widens its lane, so a hanging server ties up one query of the fetcher.
/// </remarks>
internal sealed class FetchLanes
{
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Lane> _order = [];
    private readonly int _maxInFlight;
    private readonly int _widest;
    private int _next;

    /// <param name="maxInFlight">The fetcher's cap: queries in flight at once over all servers.</param>
    /// <param name="widest">The most one lane may have in flight (the server's fleet-wide concurrency: more could only wait).</param>
    public FetchLanes(int maxInFlight, int widest)
    {
        _maxInFlight = Math.Max(1, maxInFlight);
        _widest = Math.Max(1, widest);
    }

    public int InFlight { get; private set; }

    /// <summary>The most queries that were in flight at once.</summary>
    public int MostInFlight { get; private set; }

    public int Pending => _order.Sum(l => l.Waiting.Count);

    public void Add(string server, int index)
    {
        if (!_lanes.TryGetValue(server, out var lane))
        {
            _lanes[server] = lane = new Lane(server);
            _order.Add(lane);
        }

        lane.Waiting.Enqueue(index);
    }

    /// <summary>The width of a server's lane (for tests and logs).</summary>
    public int WidthOf(string server) => _lanes.TryGetValue(server, out var lane) ? lane.Width : 0;

    /// <summary>The next domain to start, or false when the cap is reached or every lane with work is full.</summary>
    public bool TryStart(out string server, out int index)
    {
        if (InFlight < _maxInFlight)
        {
            for (var tried = 0; tried < _order.Count; tried++)
            {
                var lane = _order[(_next + tried) % _order.Count];
                if (lane.Waiting.Count == 0 || lane.InFlight >= lane.Width)
                    continue;

                _next = (_next + tried + 1) % _order.Count;
                lane.InFlight++;
                InFlight++;
                MostInFlight = Math.Max(MostInFlight, InFlight);
                server = lane.Server;
                index = lane.Waiting.Dequeue();
                return true;
            }
        }

        server = "";
        index = -1;
        return false;
    }

    /// <summary>
    /// A query of the server's lane finished: <paramref name="queued"/> says whether it had to wait behind others
    /// for its turn, <paramref name="failed"/> whether the server failed it (a server that fails or times out
    /// gets fewer queries at once, not more).
    /// </summary>
    public void Finished(string server, bool queued, bool failed = false)
    {
        var lane = _lanes[server];
        lane.InFlight--;
        InFlight--;
        lane.Width = queued || failed ? Math.Max(1, lane.Width - 1) : Math.Min(_widest, lane.Width + 1);
    }

    private sealed class Lane(string server)
    {
        public string Server { get; } = server;

        public Queue<int> Waiting { get; } = new();

        public int InFlight { get; set; }

        public int Width { get; set; } = 1;
    }
}
