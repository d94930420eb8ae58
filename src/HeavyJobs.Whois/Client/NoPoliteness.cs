namespace HeavyJobs.Whois.Client;

/// <summary>No limits at all: for one-off lookups and for tests that exercise the server's own rate limit.</summary>
public sealed class NoPoliteness : IWhoisPoliteness
{
    private NoPoliteness()
    {
    }

    /// <summary>The single instance.</summary>
    public static NoPoliteness Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask<IAsyncDisposable> AcquireAsync(string serverName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IAsyncDisposable>(EmptyLease.Instance);
    }

    private sealed class EmptyLease : IAsyncDisposable
    {
        public static readonly EmptyLease Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
