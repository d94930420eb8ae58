using System.Data.Common;
using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Faults;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace HeavyJobs.Storage.Relational;

/// <summary>
/// Every store call runs in one connection (and, if it writes, one transaction) that is run again from the start
/// when the database refused it for a passing reason: a transaction is all or nothing, so a retried one writes
/// exactly once. A full disk is reported as such at once; anything else reaches the caller as raised.
/// </summary>
public abstract partial class RelationalStore
{
    private ResiliencePipeline? _retry;

    /// <summary>How calls are retried. The default value is <see cref="StoreRetryOptions"/>' defaults.</summary>
    public StoreRetryOptions Retry { get; init; } = new();

    /// <summary>Faults to inject on purpose (tests only); null in production.</summary>
    public IStoreFaults? Faults { get; init; }

    /// <summary>What an error raised by this store's database driver means.</summary>
    protected abstract StoreErrorKind Classify(Exception exception);

    /// <summary>
    /// Whether an error raised by a commit says for certain that it did not land (the server answered with an
    /// error, or the file's lock was never taken), as against the connection breaking with the outcome unknown.
    /// </summary>
    protected virtual bool CommitSurelyFailed(Exception exception) => true;

    /// <summary>Runs <paramref name="work"/> in a write transaction and commits it if it returns normally; retried whole on a passing error.</summary>
    protected Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        RetryingAsync(
            async ct =>
            {
                await using var connection = await OpenAsync(ct);
                Faults?.Strike(StoreFaultPoint.Opened, write: true);
                using var turn = await TakeWriteTurnAsync(ct);
                await using var transaction = await connection.BeginTransactionAsync(ct);
                if (StoreFence.Epoch is { } epoch)
                {
                    // A leader's write: refused, with nothing written, unless its epoch is still the leader's.
                    await CheckFenceAsync(connection, transaction, epoch, ct);
                }

                var result = await work(connection, transaction);
                Faults?.Strike(StoreFaultPoint.BeforeCommit, write: true);
                try
                {
                    await transaction.CommitAsync(ct);
                    // Inside the try: an injected lost answer meets the handling of a connection broken mid-commit.
                    Faults?.Strike(StoreFaultPoint.AfterCommit, write: true);
                }
                catch (Exception ex) when (Classify(ex) == StoreErrorKind.Transient && !CommitSurelyFailed(ex))
                {
                    throw new StoreCommitUnknownException(ex);
                }

                return result;
            },
            cancellationToken);

    protected Task<T> WithConnectionAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken) =>
        RetryingAsync(
            async ct =>
            {
                await using var connection = await OpenAsync(ct);
                Faults?.Strike(StoreFaultPoint.Opened, write: false);
                return await work(connection);
            },
            cancellationToken);

    /// <summary>Runs <paramref name="call"/>, again from the start on a passing error; a full database is reported as such.</summary>
    protected async Task<T> RetryingAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await RetryPipeline().ExecuteAsync(static async (call, ct) => await call(ct), call, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && Classify(ex) == StoreErrorKind.Full)
        {
            throw new StoreFullException(Kind, ex);
        }
    }

    private ResiliencePipeline RetryPipeline() => _retry ??= Retry.MaxRetries <= 0
        ? ResiliencePipeline.Empty
        : new ResiliencePipelineBuilder { TimeProvider = Retry.Time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } ex
                    && ex is not OperationCanceledException
                    && !args.Context.CancellationToken.IsCancellationRequested
                    && Classify(ex) == StoreErrorKind.Transient),
                MaxRetryAttempts = Retry.MaxRetries,
                Delay = Retry.BaseDelay,
                MaxDelay = Retry.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    // A passing error that passes at once (a busy file, a deadlock) is the retry's ordinary work; one
                    // still there at the third attempt is a database that is away, which a person waiting on a
                    // command or reading a monitor's log should hear about before the call finally gives up. The reason
                    // carries the error's causes; its stack would only hide it.
                    if (args.AttemptNumber == 2 && args.Outcome.Exception is { } ex)
                    {
                        LogStillFailing(Logger, Kind, Retry.MaxRetries - args.AttemptNumber, StoreErrorText.WithCauses(ex));
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    [LoggerMessage(4010, LogLevel.Warning, "The {Store} database failed a call three times in a row; retrying it {Left} more time(s) before giving up: {Reason}")]
    private static partial void LogStillFailing(ILogger logger, string store, int left, string reason);
}
