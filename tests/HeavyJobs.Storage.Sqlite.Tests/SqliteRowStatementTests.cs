using Microsoft.Data.Sqlite;

namespace HeavyJobs.Storage.Sqlite.Tests;

public sealed class SqliteRowStatementTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"));
    private readonly SqliteConnection _connection;

    public SqliteRowStatementTests()
    {
        Directory.CreateDirectory(_dir);
        _connection = new SqliteConnection($"Data Source={Path.Combine(_dir, "r.db")};Pooling=False");
        _connection.Open();
        Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, s TEXT NOT NULL, u TEXT NOT NULL UNIQUE)");
    }

    public void Dispose()
    {
        _connection.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Rows_KeepWhatWasBoundBefore_AndEachTextWhole_LongOrShort_InAnyScript()
    {
        var long1 = string.Concat(Enumerable.Repeat("ünïcødé ✓ 文字 ", 5_000));
        using (var insert = new SqliteRowStatement(_connection, "INSERT INTO t (n, s, u) VALUES (?1, ?2, ?3)"))
        {
            insert.Bind(1, 7);
            insert.Bind(2, long1);
            insert.Bind(3, "a");
            insert.Run();
            // ?1 stays 7; a short text after a long one is not cut to or padded from the longer buffer.
            insert.Bind(2, "é");
            insert.Bind(3, "b");
            insert.Run();
            insert.Bind(1, long.MaxValue);
            insert.Bind(2, "");
            insert.Bind(3, "c");
            insert.Run();
        }

        Assert.Equal([(7L, long1, "a"), (7L, "é", "b"), (long.MaxValue, "", "c")], Rows());
    }

    [Fact]
    public void AFailingRow_IsTheSqliteExceptionTheStoreClassifies_AndTheNextRowStillGoesIn()
    {
        using var insert = new SqliteRowStatement(_connection, "INSERT INTO t (n, s, u) VALUES (?1, ?2, ?3)");
        insert.Bind(1, 1);
        insert.Bind(2, "x");
        insert.Bind(3, "same");
        insert.Run();

        var error = Assert.Throws<SqliteException>(insert.Run);
        Assert.Equal(19, error.SqliteErrorCode & 0xFF); // SQLITE_CONSTRAINT
        Assert.Contains("UNIQUE", error.Message, StringComparison.Ordinal);

        insert.Bind(3, "other");
        insert.Run();
        Assert.Equal([(1L, "x", "same"), (1L, "x", "other")], Rows());
    }

    [Fact]
    public void Rows_AreWrittenInTheConnectionsOpenTransaction()
    {
        using (var transaction = _connection.BeginTransaction())
        {
            using var insert = new SqliteRowStatement(_connection, "INSERT INTO t (n, s, u) VALUES (?1, ?2, ?3)");
            insert.Bind(1, 1);
            insert.Bind(2, "x");
            insert.Bind(3, "y");
            insert.Run();
            Assert.Single(Rows());
            transaction.Rollback();
        }

        Assert.Empty(Rows());
    }

    [Fact]
    public void BadSql_IsASqliteException()
    {
        var error = Assert.Throws<SqliteException>(() => new SqliteRowStatement(_connection, "INSERT INTO missing VALUES (?1)"));
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    private void Exec(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<(long N, string S, string U)> Rows()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT n, s, u FROM t ORDER BY id";
        using var reader = command.ExecuteReader();
        var rows = new List<(long, string, string)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }
}
