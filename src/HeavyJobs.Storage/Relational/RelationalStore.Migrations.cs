using System.Data.Common;
using System.Globalization;
using System.Reflection;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    /// <summary>Versioned migrations embedded in <paramref name="assembly"/> as NNNN_name.sql under <paramref name="prefix"/>.</summary>
    protected static IReadOnlyList<Migration> LoadMigrations(Assembly assembly, string prefix) =>
        assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[prefix.Length..^4];
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return new Migration(int.Parse(file[..4], CultureInfo.InvariantCulture), file, reader.ReadToEnd());
            })
            .OrderBy(m => m.Version)
            .ToList();

    /// <summary>
    /// Applies the missing migrations inside <paramref name="transaction"/>, which the caller has made exclusive
    /// (an advisory lock, or SQLite's write lock), so concurrent migrators apply each migration once.
    /// </summary>
    protected static async Task<MigrationResult> ApplyMigrationsAsync(
        DbConnection connection,
        DbTransaction transaction,
        IReadOnlyList<Migration> migrations,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await connection.Command(
                "CREATE TABLE IF NOT EXISTS hj_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                transaction)
            .ExecAsync(cancellationToken);
        // Every migration not yet applied runs, in version order: a database that took a later migration first
        // (from a branch) still gets the earlier ones.
        var history = await connection.Command("SELECT version, name FROM hj_migrations", transaction)
            .ListAsync(r => (Version: Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), Name: r.GetString(1)), cancellationToken);
        var done = history.Select(h => h.Version).ToHashSet();
        var current = done.Count == 0 ? 0 : done.Max();
        // A newer build added these: its code may rely on them in ways this build cannot see (a column dropped in a
        // contract step, a new meaning of a state). Starting anyway could corrupt what the newer processes keep.
        var known = migrations.Select(m => m.Version).ToHashSet();
        var unknown = history.Where(h => !known.Contains(h.Version)).OrderBy(h => h.Version).ToList();
        if (unknown.Count > 0)
        {
            throw new SchemaTooNewException(unknown[^1].Version, unknown[^1].Name, migrations.Count == 0 ? 0 : migrations[^1].Version, migrations.Count == 0 ? "" : migrations[^1].Name);
        }

        var applied = new List<string>();
        foreach (var migration in migrations.Where(m => !done.Contains(m.Version)))
        {
            await connection.Command(migration.Sql, transaction).ExecAsync(cancellationToken);
            await connection.Command("INSERT INTO hj_migrations (version, name, applied_at) VALUES (@v, @n, @at)", transaction)
                .With("v", migration.Version)
                .With("n", migration.Name)
                .With("at", now)
                .ExecAsync(cancellationToken);
            applied.Add(migration.Name);
        }

        return new MigrationResult(current, Math.Max(current, migrations.Count == 0 ? 0 : migrations[^1].Version), applied);
    }

    protected sealed record Migration(int Version, string Name, string Sql);
}
