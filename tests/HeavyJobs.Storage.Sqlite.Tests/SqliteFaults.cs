using HeavyJobs.Storage.Conformance.Faults;
using HeavyJobs.Storage.Faults;
using Microsoft.Data.Sqlite;

namespace HeavyJobs.Storage.Sqlite.Tests;

/// <summary>Storage faults as Microsoft.Data.Sqlite raises them (SQLite result codes 5, 6 and 13).</summary>
public static class SqliteFaults
{
    /// <summary>Retries without real waits: the faults are injected, no database needs time to recover.</summary>
    public static readonly StoreRetryOptions QuickRetry = new() { MaxRetries = 30, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    public static Exception Raise(InjectedFault fault) => fault switch
    {
        InjectedFault.Busy or InjectedFault.Timeout => new SqliteException("SQLite Error 5: 'database is locked'.", 5),
        InjectedFault.SerializationFailure or InjectedFault.Deadlock or InjectedFault.ConnectionLost => new SqliteException("SQLite Error 6: 'database table is locked'.", 6),
        InjectedFault.DiskFull => new SqliteException("SQLite Error 13: 'database or disk is full'.", 13),
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    public static FaultInjector Injector(double probability, int seed = 16) => new(Raise, seed) { Probability = probability };
}
