using HeavyJobs.Core.Handlers;
using HeavyJobs.Whois.Client;

namespace HeavyJobs.Whois.Pipeline;

/// <summary>
/// The client's politeness seam, backed by the fleet-wide limit the runtime keeps in the store. It also tells
/// the fetcher when a lookup got its first turn (<see cref="Probe"/>): until then the lookup waits in its lane,
/// and a lane starts no other query while one of its own still waits (<see cref="FetchLanes"/>).
/// </summary>
internal sealed class FleetPoliteness(IChunkContext context, ResourceLimit limit, TimeSpan pause) : IWhoisPoliteness
{
    private static readonly AsyncLocal<Probe?> Current = new();

    /// <summary>Watches the acquisitions of the lookup that runs in the calling flow from here on.</summary>
    public static Probe Watch(Action? firstTurn = null) => Current.Value = new Probe(firstTurn);

    public async ValueTask<IAsyncDisposable> AcquireAsync(string serverName, CancellationToken cancellationToken)
    {
        var turn = await context.LimitAsync(Resource(serverName), limit, cancellationToken);
        Current.Value?.Took();
        return turn;
    }

    public ValueTask PushedBackAsync(string serverName, CancellationToken cancellationToken) =>
        context.BackOffAsync(Resource(serverName), pause, cancellationToken);

    private static string Resource(string serverName) => "whois:" + serverName;

    /// <summary>What one lookup met on its way to its servers.</summary>
    internal sealed class Probe(Action? firstTurn)
    {
        private int _took;

        /// <summary>Whether the lookup got a turn at its first server (its registry: the server of its lane).</summary>
        public bool Turned => Volatile.Read(ref _took) == 1;

        public void Took()
        {
            if (Interlocked.Exchange(ref _took, 1) == 0)
                firstTurn?.Invoke();
        }
    }
}
