using System.Diagnostics;
using System.Text.RegularExpressions;

namespace HeavyJobs.Cli.Service;

/// <summary>
/// Carries out (or, on a dry run, prints) what installing or removing the units takes: the system user, the files
/// with their modes, and systemctl. With a root folder, files go under it and nothing else is done (for packaging,
/// and for tests on a machine where systemd is not running).
/// </summary>
public sealed partial class ServiceInstaller(TextWriter output, bool dryRun, string? root)
{
    public async Task<int> InstallAsync(ServiceSettings s, bool start, CancellationToken ct)
    {
        if (root is null)
        {
            await EnsureUserAsync(s.User, ct);
        }

        foreach (var file in UnitFiles.Plan(s))
        {
            await WriteAsync(file, keepExisting: file.Path == s.EnvFile || file.Path == s.ZabbixEnvFile, ct);
        }

        if (root is not null)
        {
            return 0;
        }

        var units = s.Layout == ServiceLayout.One ? UnitFiles.Units(s) : [UnitFiles.Target, .. UnitFiles.Units(s)];
        await RunAsync("systemctl", ["daemon-reload"], ct);
        await RunAsync("systemctl", start ? ["enable", "--now", .. units] : ["enable", .. units], ct);
        if (s.Zabbix)
        {
            await RunAsync("systemctl", ["try-restart", "zabbix-agent2.service"], ct);
        }

        return 0;
    }

    public async Task<int> UninstallAsync(ServiceSettings s, CancellationToken ct)
    {
        var dir = Rooted(s.UnitDir);
        var units = Directory.Exists(dir)
            ? Directory.GetFiles(dir).Select(Path.GetFileName).OfType<string>().Where(n => UnitName().IsMatch(n)).Order(StringComparer.Ordinal).ToList()
            : [];
        if (root is null && units.Count > 0)
        {
            await RunAsync("systemctl", ["disable", "--now", .. units], ct);
        }

        foreach (var path in units.Select(u => Path.Combine(s.UnitDir, u)).Append(Path.Combine(s.ZabbixDir, ZabbixFiles.ConfName)))
        {
            if (File.Exists(Rooted(path)))
            {
                await output.WriteLineAsync($"{(dryRun ? "would remove" : "removed")} {path}");
                if (!dryRun)
                {
                    File.Delete(Rooted(path));
                }
            }
        }

        if (root is null)
        {
            await RunAsync("systemctl", ["daemon-reload"], ct);
        }

        await output.WriteLineAsync(
            $"kept: {s.EnvFile} (settings and secrets), {ServiceSettings.StateDir} (a SQLite store) and the user {s.User}; remove them by hand if they are no longer wanted");
        return 0;
    }

    /// <summary>A dry run prints each file under a header line of this form, then its text.</summary>
    public static string Header(PlannedFile file) => $"==> {file.Path} (mode 0{Convert.ToString((int)file.Mode, 8)}): {file.Why}";

    private async Task WriteAsync(PlannedFile file, bool keepExisting, CancellationToken ct)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new UserError("systemd units are for Linux");
        }

        var path = Rooted(file.Path);
        if (keepExisting && File.Exists(path))
        {
            await output.WriteLineAsync($"kept {file.Path} as it is (it may hold edited settings and secrets)");
            return;
        }

        if (dryRun)
        {
            await output.WriteLineAsync(Header(file));
            await output.WriteLineAsync(keepExisting ? Secrets().Replace(file.Content, "$1***") : file.Content);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Created with its mode, so a secret is never readable by others, not even for a moment.
        await using (var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = file.Mode }))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(file.Content.AsMemory(), ct);
        }

        File.SetUnixFileMode(path, file.Mode);
        if (root is null && file.Path.EndsWith("zabbix.env", StringComparison.Ordinal))
        {
            await RunAsync("chgrp", ["zabbix", path], ct, optional: true);
        }

        await output.WriteLineAsync($"wrote {file.Path}");
    }

    private async Task EnsureUserAsync(string user, CancellationToken ct)
    {
        if (await RunAsync("id", ["-u", user], ct, optional: true, query: true))
        {
            return;
        }

        await RunAsync("useradd", ["--system", "--user-group", "--home-dir", ServiceSettings.StateDir, "--no-create-home", "--shell", "/usr/sbin/nologin", user], ct);
    }

    /// <summary>Runs a command (or prints it on a dry run); a failure stops the install unless it is optional.</summary>
    /// <param name="query">Only looks (runs on a dry run too, and is not printed).</param>
    private async Task<bool> RunAsync(string file, string[] args, CancellationToken ct, bool optional = false, bool query = false)
    {
        var line = $"{file} {string.Join(' ', args)}";
        if (dryRun && !query)
        {
            await output.WriteLineAsync($"$ {line}");
            return false;
        }

        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0 && !optional)
        {
            throw new UserError($"{line} failed ({process.ExitCode}): {(await error).Trim()}");
        }

        if (!query)
        {
            await output.WriteLineAsync($"$ {line}");
        }

        return process.ExitCode == 0;
    }

    private string Rooted(string path) => root is null ? path : Path.Combine(root, path.TrimStart('/'));

    [GeneratedRegex(@"^heavyjobs(-[a-z]+)?\.(service|target)$")]
    private static partial Regex UnitName();

    [GeneratedRegex(@"((?i:password)=)[^;""]*")]
    private static partial Regex Secrets();
}
