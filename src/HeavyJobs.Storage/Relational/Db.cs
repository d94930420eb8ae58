using System.Data;
using System.Data.Common;

namespace HeavyJobs.Storage.Relational;

/// <summary>Small ADO.NET helpers, so store methods read as their SQL.</summary>
internal static class Db
{
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static DbCommand With(this DbCommand command, string name, long value) => Add(command, name, value, DbType.Int64);

    public static DbCommand With(this DbCommand command, string name, long? value) => Add(command, name, value, DbType.Int64);

    public static DbCommand With(this DbCommand command, string name, int value) => Add(command, name, value, DbType.Int32);

    public static DbCommand With(this DbCommand command, string name, double value) => Add(command, name, value, DbType.Double);

    public static DbCommand With(this DbCommand command, string name, string? value) => Add(command, name, value, DbType.String);

    public static DbCommand With(this DbCommand command, string name, bool value) => Add(command, name, value ? 1 : 0, DbType.Int32);

    public static DbCommand With(this DbCommand command, string name, DateTimeOffset value) => Add(command, name, StoreTime.ToMs(value), DbType.Int64);

    private static DbCommand Add(DbCommand command, string name, object? value, DbType type)
    {
        var p = command.CreateParameter();
        // Given without its '@', a name costs Microsoft.Data.Sqlite four look-ups at every execution (as given, then
        // with '@', '$' and ':' in front: three of them scans of the statement's whole parameter list, each with a
        // new string): a one-output chunk's completion spent more in binding than in writing. With it, one finds
        // it. Npgsql takes a name with or without the '@'.
        p.ParameterName = name.StartsWith('@') ? name : "@" + name;
        p.DbType = type;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
        return command;
    }

    public static string? NullableString(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? NullableInt64(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static async Task<int> ExecAsync(this DbCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public static async Task<List<T>> ListAsync<T>(this DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var list = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add(read(reader));
            }

            return list;
        }
    }

    public static async Task<object?> ScalarAsync(this DbCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            var value = await command.ExecuteScalarAsync(cancellationToken);
            return value is DBNull ? null : value;
        }
    }

    /// <summary>"@p0, @p1, …" for an IN list or a VALUES row, with the parameters added.</summary>
    public static string InList(this DbCommand command, string prefix, IReadOnlyList<long> values)
    {
        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = $"@{prefix}{i}";
            command.With(names[i], values[i]);
        }

        return string.Join(", ", names);
    }
}
