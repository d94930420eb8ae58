using HeavyJobs.Core.Handlers;
using HeavyJobs.Whois.Client;

namespace HeavyJobs.Whois.Pipeline;

/// <summary>
/// The client's politeness seam, backed by the fleet-wide limit the runtime keeps in the store. It also tells
/// the fetcher when a lookup got its first turn (<see cref="Probe"/>): until then the lookup waits in its lane,
/// and a lane starts no other query while one of its own still waits (<see cref="FetchLanes"/>); and when the
/// lookup's first server answered, which widens its lane without waiting for the referral.
/// </summary>
internal sealed class FleetPoliteness(IChunkContext context, ResourceLimit limit, TimeSpan pause, TimeProvider time) : IWhoisPoliteness
{
    /// <summary>How long telling the fleet of a push-back may take once the lookup that read it is cancelled.</summary>
    internal static readonly TimeSpan TellWithin = TimeSpan.FromSeconds(30);

    private static readonly AsyncLocal<Probe?> Current = new();

    /// <summary>Watches the acquisitions of the lookup that runs in the calling flow from here on.</summary>
    public static Probe Watch(Action? firstTurn = null, Action? firstAnswer = null) => Current.Value = new Probe(firstTurn, firstAnswer);

    public async ValueTask<IAsyncDisposable> AcquireAsync(string serverName, CancellationToken cancellationToken)
    {
        var turn = await context.LimitAsync(Resource(serverName), limit, cancellationToken);
        if (Current.Value is not { } probe)
            return turn;
        probe.Took();
        return new Watched(turn, probe);
    }

    public async ValueTask PushedBackAsync(string serverName, CancellationToken cancellationToken)
    {
        // The server asked everyone to wait: that is told even when the lookup that read it is being cancelled (its
        // chunk stopping, or another query's failure ending the run), or the fleet's next query lands in the pause.
        // One short write, bounded on its own.
        using var bound = new CancellationTokenSource(TellWithin, time);
        await context.BackOffAsync(Resource(serverName), pause, bound.Token);
    }

    private static string Resource(string serverName) => "whois:" + serverName;

    /// <summary>What one lookup met on its way to its servers.</summary>
    internal sealed class Probe(Action? firstTurn, Action? firstAnswer)
    {
        private int _took;
        private int _answered;

        /// <summary>Whether the lookup got a turn at its first server (its registry: the server of its lane).</summary>
        public bool Turned => Volatile.Read(ref _took) == 1;

        public void Took()
        {
            if (Interlocked.Exchange(ref _took, 1) == 0)
                firstTurn?.Invoke();
        }

        /// <summary>The query at the lookup's first server ended (answered, or failed other than by hanging).</summary>
        public void Ended()
        {
            if (Interlocked.Exchange(ref _answered, 1) == 0)
                firstAnswer?.Invoke();
        }
    }

    /// <summary>A turn whose end tells the lookup's probe that its server answered.</summary>
    private sealed class Watched(IAsyncDisposable turn, Probe probe) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await turn.DisposeAsync();
            probe.Ended();
        }
    }
}
