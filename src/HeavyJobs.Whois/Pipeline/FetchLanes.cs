using System.Collections.Concurrent;

namespace HeavyJobs.Whois.Pipeline;

/// <summary>
/// Decides which of a chunk's domains a fetcher starts next. Each registry server has a lane: its domains, in
/// chunk order, and how many of them may be in flight at once (its width). A domain starts only when its lane
/// has room and the fetcher is under its cap, lanes taking turns, so a server that is slow or hangs fills its
/// own lane and never the fetcher: the other servers' domains keep going.
/// </summary>
/// <remarks>
/// A lane's width follows its server's answers: it starts where the fetcher's last chunk left that server's lane
/// (one at first), grows by one with each answer from the server (<see cref="Answered"/>: a referral still to
/// come does not hold it back) and shrinks by one with each query the server failed, so a query that never
/// finishes never widens its lane and a hanging server ties up one query of a fresh lane. Each chunk starting at
/// one again, as before, spent most of a short chunk widening (issue 17). Within its width, a lane starts a query only when none of its
/// queries still waits for its turn at the server: when the fleet holds every slot of the server (or its rate
/// spaces the starts), one query waits, and the slot that one of this fetcher's queries frees goes to it at once
/// instead of back to the store, where it would sit free until some fetcher's next poll. More queries waiting
/// would not fetch faster; they would only ask the store for turns more often. (Narrowing a lane whenever a turn
/// queued, as before, left fetchers without a waiting query, and the busiest server half used: issue 17.)
/// </remarks>
internal sealed class FetchLanes
{
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Lane> _order = [];
    private readonly int _maxInFlight;
    private readonly int _widest;
    private readonly ConcurrentDictionary<string, int>? _learned;
    private int _next;

    /// <param name="maxInFlight">The fetcher's cap: queries in flight at once over all servers.</param>
    /// <param name="widest">The most one lane may have in flight (the server's fleet-wide concurrency: more could only wait).</param>
    /// <param name="learned">Widths the fetcher's earlier chunks reached per server, read at the start and kept up to date (null: every lane starts at one).</param>
    public FetchLanes(int maxInFlight, int widest, ConcurrentDictionary<string, int>? learned = null)
    {
        _maxInFlight = Math.Max(1, maxInFlight);
        _widest = Math.Max(1, widest);
        _learned = learned;
    }

    public int InFlight { get; private set; }

    /// <summary>The most queries that were in flight at once.</summary>
    public int MostInFlight { get; private set; }

    public int Pending => _order.Sum(l => l.Waiting.Count);

    public void Add(string server, int index)
    {
        if (!_lanes.TryGetValue(server, out var lane))
        {
            _lanes[server] = lane = new Lane(server) { Width = Math.Clamp(_learned?.GetValueOrDefault(server) ?? 1, 1, _widest) };
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
                if (lane.Waiting.Count == 0 || lane.InFlight >= lane.Width || lane.AwaitingTurn > 0)
                    continue;

                _next = (_next + tried + 1) % _order.Count;
                lane.InFlight++;
                lane.AwaitingTurn++;
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

    /// <summary>A query of the server's lane got its turn at the server: the lane may start another.</summary>
    public void Turned(string server) => _lanes[server].AwaitingTurn--;

    /// <summary>A query of the server's lane got its answer from the server: the lane widens.</summary>
    public void Answered(string server) => Resize(_lanes[server], +1);

    /// <summary>
    /// A query of the server's lane finished: <paramref name="turned"/> says whether it had got its turn (see
    /// <see cref="Turned"/>), <paramref name="failed"/> whether it failed (a server that fails or times out gets
    /// fewer queries at once, not more).
    /// </summary>
    public void Finished(string server, bool turned, bool failed = false)
    {
        var lane = _lanes[server];
        lane.InFlight--;
        if (!turned)
            lane.AwaitingTurn--;
        InFlight--;
        if (failed)
            Resize(lane, -1);
    }

    /// <summary>The lanes that still have domains waiting, for an error that says why they never started.</summary>
    public string Describe() =>
        string.Join(
            "; ",
            _order.Where(l => l.Waiting.Count > 0)
                .Select(l => $"{(l.Server.Length == 0 ? "(no server)" : l.Server)}: {l.Waiting.Count} waiting, {l.InFlight} in flight, {l.AwaitingTurn} awaiting a turn, width {l.Width}"));

    private void Resize(Lane lane, int by)
    {
        lane.Width = Math.Clamp(lane.Width + by, 1, _widest);
        if (_learned is not null)
            _learned[lane.Server] = lane.Width;
    }

    private sealed class Lane(string server)
    {
        public string Server { get; } = server;

        public Queue<int> Waiting { get; } = new();

        public int InFlight { get; set; }

        public int Width { get; set; } = 1;

        /// <summary>Queries started and still waiting for their turn at the server.</summary>
        public int AwaitingTurn { get; set; }
    }
}
