using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace HeavyJobs.Storage.Sqlite;

/// <summary>
/// One statement run again and again for rows of values, on the connection's own SQLite handle and so in its
/// open transaction. Microsoft.Data.Sqlite binds every parameter by name at each execution (a look-up and a
/// UTF-8 copy of the name each time) and opens a data reader for it: for a batched completion's outputs and
/// emitted chunks that cost more than SQLite's own writing of the rows. Here a value is bound by position,
/// once, and stays bound until it changes (SQLite keeps bindings across a reset). Errors are the
/// <see cref="SqliteException"/>s the rest of the store sees, so they are classified alike.
/// </summary>
internal sealed class SqliteRowStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private byte[]? _utf8;

    public SqliteRowStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void Bind(int index, string value)
    {
        // SQLite copies the bytes as it binds them (SQLITE_TRANSIENT), so one buffer serves every value.
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_utf8 is null || _utf8.Length < length)
        {
            Return();
            _utf8 = ArrayPool<byte>.Shared.Rent(length);
        }

        var written = Encoding.UTF8.GetBytes(value, _utf8);
        Check(raw.sqlite3_bind_text(_statement, index, _utf8.AsSpan(0, written)));
    }

    /// <summary>Runs the statement with the values bound now; it is ready for the next row's at once.</summary>
    public void Run()
    {
        var rc = raw.sqlite3_step(_statement);
        try
        {
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    public void Dispose()
    {
        _statement.Dispose();
        Return();
    }

    private void Return()
    {
        if (_utf8 is not null)
        {
            ArrayPool<byte>.Shared.Return(_utf8);
            _utf8 = null;
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
