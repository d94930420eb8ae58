using Microsoft.Data.Sqlite;

namespace HeavyJobs.Storage.Sqlite;

/// <summary>
/// An online copy of a SQLite store: <c>VACUUM INTO</c> reads the database in one read transaction, so the copy is
/// the state at one commit while workers go on writing (WAL readers never block the writer, nor it them).
/// </summary>
public static class SqliteBackup
{
    public static async Task ToFileAsync(string databasePath, string targetPath, CancellationToken cancellationToken)
    {
        if (File.Exists(targetPath))
        {
            throw new IOException($"{targetPath} exists; a backup never overwrites a file");
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(databasePath), Mode = SqliteOpenMode.ReadWrite, Pooling = false };
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 30000; VACUUM INTO @target";
        command.Parameters.AddWithValue("@target", Path.GetFullPath(targetPath));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
