using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace HeavyJobs.Cli.Tests;

/// <summary>
/// Reads a run's store directly while its processes work (a real process is being watched; there is no signal to
/// wait on): a plain read-only query, where starting a status process per poll would cost a second of CPU each.
/// </summary>
internal static class StoreProbe
{
    /// <summary>Polls until the count <paramref name="sql"/> reads is above zero; false after two minutes.</summary>
    public static async Task<bool> WaitForAsync(string db, string sql, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 2400; i++)
        {
            try
            {
                if (await ScalarAsync(db, sql, cancellationToken) > 0)
                {
                    return true;
                }
            }
            catch (DbException)
            {
                // The run has not created the file or the schema yet.
            }

            await Task.Delay(50, cancellationToken);
        }

        return false;
    }

    public static async Task<long> ScalarAsync(string db, string sql, CancellationToken cancellationToken)
    {
        await using var connection = Open(db);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public static DbConnection Open(string db) => db.Contains("Host=", StringComparison.Ordinal)
        ? new NpgsqlConnection(db)
        : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
}
