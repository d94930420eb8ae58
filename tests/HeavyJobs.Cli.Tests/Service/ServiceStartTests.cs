using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using HeavyJobs.Cli.Service;
using Npgsql;

namespace HeavyJobs.Cli.Tests.Service;

/// <summary>
/// A unit's ExecStart started by hand as systemd starts it: its environment file loaded, a parent process named
/// systemd, NOTIFY_SOCKET on a datagram socket this test reads, WATCHDOG_USEC set. systemd is not PID 1 here, so the
/// unit itself cannot be started; the User= switch is the one thing left out.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ServiceStartTests
{
    /// <summary>The same key every HeavyJobs process takes while it migrates a PostgreSQL database.</summary>
    private const long MigrationLockKey = 0x4845_4156_594A_4F42;

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Postgres => Environment.GetEnvironmentVariable("HEAVYJOBS_TEST_POSTGRES") is { Length: > 0 } s ? s : "Host=127.0.0.1;Port=5432;Username=heavyjobs;Password=heavyjobs;Database=heavyjobs_test";

    [Fact]
    public async Task ExecStart_StartedAsSystemdWould_IsReadyOnlyAfterMigration_ThenPingsTheWatchdog_AndStopsOnSigterm()
    {
        var schema = $"svc_{Guid.NewGuid():N}";
        var db = new NpgsqlConnectionStringBuilder(Postgres) { SearchPath = schema }.ToString();
        var root = Directory.CreateTempSubdirectory("heavyjobs-svc-").FullName;
        var (exit, output, error) = await HeavyjobsProcess.RunAsync(HeavyjobsProcess.NewDbPath(), Ct, "service", "install", "--root", root, "--layout", "split", "--roles", "monitor", "--db", db);
        Assert.True(exit == 0, output + error);
        var unit = await File.ReadAllTextAsync(Path.Combine(root, "etc/systemd/system/heavyjobs-monitor.service"), Ct);
        var exec = Words(Setting(unit, "ExecStart"));
        var env = SystemdText.ReadEnv(await File.ReadAllTextAsync(Path.Combine(root, Setting(unit, "EnvironmentFile").TrimStart('/')), Ct));
        Assert.Equal(db, env["HEAVYJOBS_DB"]);

        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var socketPath = Path.Combine(root, "notify.sock");
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        // .NET knows it runs under systemd when its parent process is called systemd.
        var systemd = Path.Combine(root, "systemd");
        await File.WriteAllTextAsync(systemd, "#!/bin/sh\n\"$@\" &\necho \"$!\"\nwait \"$!\"\n", Ct);
        File.SetUnixFileMode(systemd, SystemdText.Mode("755"));

        await using var admin = NpgsqlDataSource.Create(Postgres);
        await using var holder = await admin.OpenConnectionAsync(Ct);
        await using (var lockIt = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\"; SELECT pg_advisory_lock({MigrationLockKey})", holder))
        {
            await lockIt.ExecuteNonQueryAsync(Ct);
        }

        var info = new ProcessStartInfo(systemd) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        foreach (var word in exec)
        {
            info.ArgumentList.Add(word);
        }

        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }

        info.Environment["NOTIFY_SOCKET"] = socketPath;
        info.Environment["WATCHDOG_USEC"] = "2000000";
        using var parent = Process.Start(info)!;
        var logs = parent.StandardError.ReadToEndAsync(Ct);
        var pid = int.Parse((await parent.StandardOutput.ReadLineAsync(Ct))!, System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            // The monitor is waiting for the migration lock: the store is reachable, the schema is not migrated yet.
            Assert.True(await UntilAsync(async () => await WaitingForLockAsync(admin), Within), "the process never reached the migration");
            Assert.Equal(0, socket.Available);
            Assert.Equal(0, await TableCountAsync(admin, schema));

            await using (var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLockKey})", holder))
            {
                await unlock.ExecuteNonQueryAsync(Ct);
            }

            var ready = await ReceiveAsync(socket, m => m.Contains("READY=1", StringComparison.Ordinal));
            Assert.True(ready is not null, "no READY=1: " + await Logs(parent, logs));
            Assert.True(await MigratedAsync(admin, schema), "READY=1 came before the schema was migrated");

            for (var ping = 0; ping < 2; ping++)
            {
                Assert.True(await ReceiveAsync(socket, m => m.Contains("WATCHDOG=1", StringComparison.Ordinal)) is not null, $"watchdog ping {ping + 1} missing");
            }

            using (var term = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
                await term.WaitForExitAsync(Ct);
            }

            Assert.True(await ReceiveAsync(socket, m => m.Contains("STOPPING=1", StringComparison.Ordinal)) is not null, "no STOPPING=1 on SIGTERM");
            using var done = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            done.CancelAfter(Within);
            await parent.WaitForExitAsync(done.Token);
        }
        finally
        {
            if (!parent.HasExited)
            {
                parent.Kill(entireProcessTree: true);
            }

            await using var drop = admin.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static string Setting(string unit, string key) => Regex.Match(unit, $"^{key}=(.*)$", RegexOptions.Multiline).Groups[1].Value.Trim();

    /// <summary>ExecStart's words: double-quoted ones with \" and \\ inside; %% and $$ as systemd reads them.</summary>
    private static List<string> Words(string command) =>
        [.. Regex.Matches(command, "\"((?:[^\"\\\\]|\\\\.)*)\"|(\\S+)").Select(m => (m.Groups[1].Success ? Regex.Unescape(m.Groups[1].Value) : m.Groups[2].Value)
            .Replace("%%", "%", StringComparison.Ordinal).Replace("$$", "$", StringComparison.Ordinal))];

    /// <summary>The next datagram that matches, within <see cref="Within"/>; null when none came.</summary>
    private static async Task<string?> ReceiveAsync(Socket socket, Func<string, bool> match)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(Within);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                var message = Encoding.UTF8.GetString(buffer, 0, n);
                if (match(message))
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<bool> WaitingForLockAsync(NpgsqlDataSource admin)
    {
        await using var command = admin.CreateCommand("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
        return (long)(await command.ExecuteScalarAsync(Ct))! > 0;
    }

    private static async Task<long> TableCountAsync(NpgsqlDataSource admin, string schema)
    {
        await using var command = admin.CreateCommand($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}'");
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task<bool> MigratedAsync(NpgsqlDataSource admin, string schema)
    {
        await using var command = admin.CreateCommand($"SELECT max(version) FROM \"{schema}\".hj_migrations");
        return await command.ExecuteScalarAsync(Ct) is int version && version >= 12;
    }

    private static async Task<string> Logs(Process parent, Task<string> logs)
    {
        if (!parent.HasExited)
        {
            return "(still running)";
        }

        return await logs;
    }

    /// <summary>There is no event for another process waiting on a lock: look every 50 ms up to a deadline.</summary>
    private static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < within)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50, Ct);
        }

        return await condition();
    }
}
