using HeavyJobs.Core.Handlers;
using HeavyJobs.Whois.Client;

namespace HeavyJobs.Whois.Pipeline;

/// <summary>
/// The client's politeness seam, backed by the fleet-wide limit the runtime keeps in the store. It also tells
/// the fetcher whether a lookup's queries had to queue for their turns (<see cref="Probe"/>), which is how the
/// number in flight follows the turns available.
/// </summary>
internal sealed class FleetPoliteness(IChunkContext context, ResourceLimit limit, TimeSpan pause, TimeProvider time) : IWhoisPoliteness
{
    /// <summary>Store calls take a few milliseconds even without a queue; a wait within this beyond the spacing is not queueing.</summary>
    private static readonly TimeSpan StoreSlack = TimeSpan.FromMilliseconds(25);

    private static readonly AsyncLocal<Probe?> Current = new();

    // Two spacings: a turn that comes right after the previous start is not a queue; one behind two others is.
    private readonly TimeSpan _queuedAfter = 2 * TimeSpan.FromSeconds(1 / Math.Max(0.001, limit.RequestsPerSecond)) + StoreSlack;

    /// <summary>Watches the acquisitions of the lookup that runs in the calling flow from here on.</summary>
    public static Probe Watch() => Current.Value = new Probe();

    public async ValueTask<IAsyncDisposable> AcquireAsync(string serverName, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var turn = await context.LimitAsync(Resource(serverName), limit, cancellationToken);
        // The limiter knows whether the fleet's slots were full or the rate held the start back; a context that
        // does not say is judged by the time the turn took.
        if (Current.Value is { } probe && (turn is IResourceTurn known ? known.Queued : time.GetElapsedTime(started) > _queuedAfter))
            probe.Queued = true;
        return turn;
    }

    public ValueTask PushedBackAsync(string serverName, CancellationToken cancellationToken) =>
        context.BackOffAsync(Resource(serverName), pause, cancellationToken);

    private static string Resource(string serverName) => "whois:" + serverName;

    /// <summary>What one lookup met on its way to its servers.</summary>
    internal sealed class Probe
    {
        public bool Queued { get; set; }
    }
}
