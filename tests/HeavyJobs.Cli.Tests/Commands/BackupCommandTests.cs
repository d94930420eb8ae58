using System.Diagnostics;
using System.Text.Json;
using Npgsql;

namespace HeavyJobs.Cli.Tests.Commands;

/// <summary>
/// A backup taken while a job runs restores, and the job finishes from it with the right answer: the real
/// executable, real worker processes, SQLite's VACUUM INTO and PostgreSQL's own pg_dump and pg_restore.
/// </summary>
/// <remarks>
/// The run is frozen (SIGSTOP, every process of it) once a chunk is done and while its worker is inside the next
/// one, so the backup surely falls mid-run whatever the machine's load: the copy sees what a snapshot at any
/// instant would, a chunk held between two checkpoints by a worker that then dies with the machine.
/// </remarks>
public sealed class BackupCommandTests
{
    // π(10^9), which the demo checks itself against: twenty chunks on one worker.
    private const string Answer = "50,847,534";
    private static readonly string[] Run = ["run", "--pilot", "primes", "--below", "1000000000", "--chunk-size", "50000000", "--workers", "1", "--urls", "http://127.0.0.1:0"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string PostgresServer =>
        Environment.GetEnvironmentVariable("HEAVYJOBS_TEST_POSTGRES") is { Length: > 0 } s ? s : "Host=127.0.0.1;Port=5432;Username=heavyjobs;Password=heavyjobs;Database=heavyjobs_test";

    [Fact]
    public async Task Sqlite_ABackupTakenMidRun_Restores_AndTheJobFinishesFromIt()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var backup = Path.Combine(Path.GetDirectoryName(db)!, "backup.db");

        await BackUpMidRunAsync(db, backup);
        // The original is lost; the copy is put in its place, as docs/operations.md says.
        File.Delete(db);
        File.Delete(db + "-wal");
        File.Delete(db + "-shm");
        File.Copy(backup, db);

        await FinishAsync(db);
    }

    [Fact]
    public async Task Postgres_ABackupTakenMidRun_RestoresIntoANewDatabase_AndTheJobFinishesFromIt()
    {
        var original = await CreateDatabaseAsync();
        var restored = await CreateDatabaseAsync();
        var backup = Path.Combine(Path.GetDirectoryName(HeavyjobsProcess.NewDbPath())!, "backup.dump");
        try
        {
            await BackUpMidRunAsync(original, backup);
            using (var restore = Process.Start("pg_restore", ["--no-owner", "--exit-on-error", $"--dbname={LibpqUri(restored)}", backup])!)
            {
                await restore.WaitForExitAsync(Ct);
                Assert.Equal(0, restore.ExitCode);
            }

            await FinishAsync(restored);
        }
        finally
        {
            await DropDatabaseAsync(original);
            await DropDatabaseAsync(restored);
        }
    }

    /// <summary>Runs the demo, freezes it once some chunks are done and some are not, takes a backup, then kills the run.</summary>
    private static async Task BackUpMidRunAsync(string db, string backup)
    {
        var (run, output) = HeavyjobsProcess.Start(db, Run);
        var workers = new List<int>();
        try
        {
            Assert.True(await StoreProbe.WaitForAsync(db, "SELECT count(*) FROM hj_chunks WHERE state = 'done'", Ct), output.ToString());
            // The run first, so that its monitor does not see its workers stop and replace them.
            HeavyjobsProcess.Signal(run, "STOP");
            workers.AddRange(await WorkerPidsAsync(db));
            foreach (var pid in workers)
            {
                HeavyjobsProcess.Signal(pid, "STOP");
            }

            var (exit, stdout, stderr) = await HeavyjobsProcess.RunAsync(db, Ct, "backup", backup);
            Assert.True(exit == 0, stdout + stderr);
        }
        finally
        {
            // Power lost: nothing of the run gets to finish what it was doing.
            HeavyjobsProcess.Signal(run, "KILL");
            foreach (var pid in workers)
            {
                HeavyjobsProcess.Signal(pid, "KILL");
            }

            await run.WaitForExitAsync(Ct);
        }
    }

    private static async Task FinishAsync(string db)
    {
        var states = await ChunkStatesAsync(db);
        Assert.Contains("done", states);
        Assert.Contains(states, s => s != "done");

        var (exit, output, err) = await HeavyjobsProcess.RunAsync(db, Ct, Run);

        Assert.True(exit == 0, output + err);
        Assert.Contains("Resuming job", output, StringComparison.Ordinal);
        Assert.Contains(Answer, output, StringComparison.Ordinal);
        Assert.All(await ChunkStatesAsync(db), s => Assert.Equal("done", s));
    }

    private static async Task<List<string>> ChunkStatesAsync(string db)
    {
        var (_, status, _) = await HeavyjobsProcess.RunAsync(db, Ct, "status", "--json");
        using var doc = JsonDocument.Parse(status);
        return [.. doc.RootElement.GetProperty("chunks").EnumerateArray().Select(c => c.GetProperty("state").GetString()!)];
    }

    /// <summary>The run's live workers, as its monitor recorded them.</summary>
    private static async Task<List<int>> WorkerPidsAsync(string db)
    {
        await using var connection = StoreProbe.Open(db);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT pid FROM hj_workers WHERE state IN ('starting', 'idle', 'busy', 'stopping')";
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            pids.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        return pids;
    }

    private static async Task<string> CreateDatabaseAsync()
    {
        var name = $"hj_backup_{Guid.NewGuid():N}";
        await using var source = NpgsqlDataSource.Create(PostgresServer);
        await using (var command = source.CreateCommand($"CREATE DATABASE {name}"))
        {
            await command.ExecuteNonQueryAsync(Ct);
        }

        return new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ToString();
    }

    private static async Task DropDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        await using var source = NpgsqlDataSource.Create(PostgresServer);
        await using var command = source.CreateCommand($"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(connectionString).Database} WITH (FORCE)");
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private static string LibpqUri(string connectionString)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{cs.Username}:{cs.Password}@{cs.Host}:{cs.Port}/{cs.Database}";
    }
}
