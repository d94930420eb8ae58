using System.Data.Common;
using System.Globalization;
using HeavyJobs.Bench.Modes;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace HeavyJobs.Bench;

/// <summary>Plain statements for the harness itself (seeding, polling, statistics), outside any store.</summary>
internal static class Sql
{
    public static async Task<DbConnection> OpenAsync(string db)
    {
        DbConnection connection = BenchStores.IsPostgres(db)
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db) { Pooling = false }.ToString())
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false, DefaultTimeout = 30 }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<long> ScalarAsync(string db, string sql)
    {
        await using var connection = await OpenAsync(db);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    public static async Task ExecAsync(string db, string sql, int timeoutSeconds = 600)
    {
        await using var connection = await OpenAsync(db);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = timeoutSeconds;
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<List<string>> LinesAsync(string db, string sql)
    {
        await using var connection = await OpenAsync(db);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return lines;
    }
}

/// <summary>
/// The database's own count of what it did: commits from pg_stat_database, statements from pg_stat_statements
/// (when the server preloads it), for the bench's database only.
/// </summary>
internal readonly record struct PgCounters(long Commits, long Statements)
{
    public static async Task<PgCounters> ReadAsync(string pg, bool statements)
    {
        var commits = await Sql.ScalarAsync(pg, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
        var calls = statements
            ? await Sql.ScalarAsync(pg, "SELECT COALESCE(sum(calls), 0) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")
            : 0;
        return new PgCounters(commits, calls);
    }

    public static PgCounters operator -(PgCounters a, PgCounters b) => new(a.Commits - b.Commits, a.Statements - b.Statements);
}
