using System.Diagnostics;
using System.Text.RegularExpressions;
using HeavyJobs.Cli.Service;
using HeavyJobs.Runtime.Hosting;

namespace HeavyJobs.Cli.Tests.Service;

/// <summary>The units <c>service install --dry-run</c> prints are ones systemd accepts, for every layout.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class ServiceUnitTests
{
    private const string SystemdAnalyze = "/usr/bin/systemd-analyze";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string> Layouts => new()
    {
        { "one", "manager,monitor,web", "sqlite" },
        { "one", "monitor", "postgres" },
        { "split", "manager,monitor,web", "postgres" },
        { "split", "monitor,web", "sqlite" },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task DryRun_EveryLayout_WritesUnitsThatSystemdAnalyzeVerifyAccepts(string layout, string roles, string store)
    {
        Assert.True(File.Exists(SystemdAnalyze), $"{SystemdAnalyze} is missing: install Debian's systemd package to check the units");
        var db = store == "sqlite" ? HeavyjobsProcess.NewDbPath() : "Host=127.0.0.1;Port=5432;Username=heavyjobs;Password=pw-7Qx2;Database=heavyjobs_test";
        var (exit, output, error) = await HeavyjobsProcess.RunAsync(HeavyjobsProcess.NewDbPath(), Ct, "service", "install", "--dry-run", "--layout", layout, "--roles", roles, "--zabbix", "--db", db);
        Assert.True(exit == 0, output + error);

        var files = Printed(output);
        var units = files.Where(f => f.Path.EndsWith(".service", StringComparison.Ordinal) || f.Path.EndsWith(".target", StringComparison.Ordinal)).ToList();
        var services = units.Where(u => u.Path.EndsWith(".service", StringComparison.Ordinal)).ToList();
        Assert.Equal(layout == "one" ? 1 : roles.Split(',').Length, services.Count);
        Assert.Equal(layout == "split", units.Any(u => u.Path.EndsWith("heavyjobs.target", StringComparison.Ordinal)));
        Assert.All(services, u =>
        {
            Assert.Contains("Type=notify\n", u.Text, StringComparison.Ordinal);
            Assert.Contains("Restart=on-failure\n", u.Text, StringComparison.Ordinal);
            Assert.Contains($"User={ServiceSettings.DefaultUser}\n", u.Text, StringComparison.Ordinal);
            Assert.True(Seconds(u.Text, "TimeoutStopSec") > HeavyJobsBuilder.DrainBound.TotalSeconds, "systemd kills only after the drain bound");
            Assert.True(Seconds(u.Text, "WatchdogSec") > 0);
            Assert.Equal(store == "postgres", u.Text.Contains("After=network-online.target postgresql.service\n", StringComparison.Ordinal));
        });
        var env = Assert.Single(files, f => f.Path == ServiceSettings.DefaultEnvFile);
        Assert.Equal("0600", env.Mode);
        Assert.DoesNotContain("pw-7Qx2", output, StringComparison.Ordinal);
        Assert.Contains("UserParameter=heavyjobs.workers[*],", output, StringComparison.Ordinal);

        var dir = Directory.CreateTempSubdirectory("heavyjobs-units-").FullName;
        foreach (var unit in units)
        {
            await File.WriteAllTextAsync(Path.Combine(dir, Path.GetFileName(unit.Path)), unit.Text, Ct);
        }

        var (verified, said) = await RunAsync(SystemdAnalyze, ["verify", .. units.Select(u => Path.Combine(dir, Path.GetFileName(u.Path)))]);
        // A setting systemd does not know, or cannot parse, is only a warning: any output at all fails the test.
        Assert.True(verified == 0 && said.Trim().Length == 0, $"systemd-analyze verify exited {verified}:\n{said}\n{string.Join("\n", units.Select(u => u.Text))}");
    }

    [Fact]
    public async Task Install_WithRoot_WritesTheSameFilesWithTheirModes_AndUninstallRemovesTheUnits()
    {
        var root = Directory.CreateTempSubdirectory("heavyjobs-root-").FullName;
        var db = HeavyjobsProcess.NewDbPath();
        var (exit, output, error) = await HeavyjobsProcess.RunAsync(db, Ct, "service", "install", "--root", root, "--layout", "split", "--zabbix");
        Assert.True(exit == 0, output + error);

        var env = Path.Combine(root, ServiceSettings.DefaultEnvFile.TrimStart('/'));
        Assert.Equal(SystemdText.Mode("600"), File.GetUnixFileMode(env));
        Assert.Equal(db, SystemdText.ReadEnv(await File.ReadAllTextAsync(env, Ct))["HEAVYJOBS_DB"]);
        var unitDir = Path.Combine(root, ServiceSettings.DefaultUnitDir.TrimStart('/'));
        Assert.Equal(["heavyjobs-manager.service", "heavyjobs-monitor.service", "heavyjobs-web.service", "heavyjobs.target"], Directory.GetFiles(unitDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        (exit, output, error) = await HeavyjobsProcess.RunAsync(db, Ct, "service", "uninstall", "--root", root);
        Assert.True(exit == 0, output + error);
        Assert.Empty(Directory.GetFiles(unitDir));
        Assert.True(File.Exists(env), "the settings are kept");
    }

    [Fact]
    public async Task Units_OfAHeavyjobsInAnInstallRoot_RunTheStartGuardFromThePreviousBuildBeforeEachStart_AndSystemdAcceptsThem()
    {
        var root = Directory.CreateTempSubdirectory("heavyjobs-root-").FullName;
        foreach (var version in new[] { "1.0.0", "2.0.0" })
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, "versions", version)).FullName;
            await File.WriteAllTextAsync(Path.Combine(folder, "heavyjobs"), "#!/bin/sh\n", Ct);
            File.SetUnixFileMode(Path.Combine(folder, "heavyjobs"), SystemdText.Mode("755"));
        }

        File.CreateSymbolicLink(Path.Combine(root, "current"), "versions/2.0.0");
        File.CreateSymbolicLink(Path.Combine(root, "previous"), "versions/1.0.0");
        var settings = new ServiceSettings(
            [Path.Combine(root, "current", "heavyjobs")], ServiceLayout.Split, ["manager", "monitor"], new Dictionary<string, IReadOnlyList<string>>(),
            "Host=127.0.0.1;Database=heavyjobs", ServiceSettings.DefaultUser, Path.Combine(root, "units"), Path.Combine(root, "heavyjobs.env"), null, 252, false, root);

        var units = UnitFiles.Plan(settings).Where(f => f.Path.EndsWith(".service", StringComparison.Ordinal) || f.Path.EndsWith(".target", StringComparison.Ordinal)).ToList();
        Assert.All(units.Where(u => u.Path.EndsWith(".service", StringComparison.Ordinal)), u =>
            Assert.Contains($"\nExecStartPre=-{root}/previous/heavyjobs service guard --root {root}\n", u.Content, StringComparison.Ordinal));
        // Outside an install root there is nothing to switch back to.
        Assert.Null(UnitFiles.StartGuard(["/usr/bin/dotnet", "/srv/build/heavyjobs.dll"]));
        Assert.Equal(
            ["/usr/bin/dotnet", $"{root}/previous/heavyjobs.dll", "service", "guard", "--root", root],
            UnitFiles.StartGuard(["/usr/bin/dotnet", $"{root}/current/heavyjobs.dll"]));

        var dir = Directory.CreateTempSubdirectory("heavyjobs-units-").FullName;
        foreach (var unit in units)
        {
            await File.WriteAllTextAsync(Path.Combine(dir, Path.GetFileName(unit.Path)), unit.Content, Ct);
        }

        var (verified, said) = await RunAsync(SystemdAnalyze, ["verify", .. units.Select(u => Path.Combine(dir, Path.GetFileName(u.Path)))]);
        Assert.True(verified == 0 && said.Trim().Length == 0, $"systemd-analyze verify exited {verified}:\n{said}\n{string.Join("\n", units.Select(u => u.Content))}");
    }

    /// <summary>The files a dry run printed: each under a "==> PATH (mode 0NNN): why" line, up to the next header or command.</summary>
    private static List<(string Path, string Mode, string Text)> Printed(string output)
    {
        var files = new List<(string, string, string)>();
        foreach (Match m in FileBlock().Matches(output.Replace("\r\n", "\n", StringComparison.Ordinal)))
        {
            files.Add((m.Groups["path"].Value, m.Groups["mode"].Value, m.Groups["text"].Value));
        }

        return files;
    }

    private static double Seconds(string unit, string key) => double.Parse(Regex.Match(unit, $@"^{key}=(\d+)$", RegexOptions.Multiline).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"^==> (?<path>\S+) \(mode (?<mode>\d+)\): [^\n]*\n(?<text>.*?)(?=^==> |^\$ |^kept |\z)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FileBlock();
}
