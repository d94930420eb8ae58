using HeavyJobs.Storage.Conformance.Faults;
using HeavyJobs.Storage.Faults;
using Npgsql;

namespace HeavyJobs.Storage.Postgres.Tests;

/// <summary>Storage faults as Npgsql raises them: server errors by SQLSTATE, broken connections as NpgsqlException.</summary>
public static class PostgresFaults
{
    /// <summary>Retries without real waits: the faults are injected, no database needs time to recover.</summary>
    public static readonly StoreRetryOptions QuickRetry = new() { MaxRetries = 30, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    public static Exception Raise(InjectedFault fault) => fault switch
    {
        InjectedFault.SerializationFailure => new PostgresException("could not serialize access due to concurrent update", "ERROR", "ERROR", PostgresErrorCodes.SerializationFailure),
        InjectedFault.Deadlock => new PostgresException("deadlock detected", "ERROR", "ERROR", PostgresErrorCodes.DeadlockDetected),
        InjectedFault.Busy => new PostgresException("sorry, too many clients already", "FATAL", "FATAL", PostgresErrorCodes.TooManyConnections),
        InjectedFault.Timeout => new NpgsqlException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt")),
        InjectedFault.ConnectionLost => new NpgsqlException("Exception while reading from stream", new EndOfStreamException("Attempted to read past the end of the stream.")),
        InjectedFault.DiskFull => new PostgresException("could not extend file: No space left on device", "ERROR", "ERROR", PostgresErrorCodes.DiskFull),
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    public static FaultInjector Injector(double probability, int seed = 16) => new(Raise, seed) { Probability = probability };
}
