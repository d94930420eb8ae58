using System.Diagnostics;
using System.Text;

namespace HeavyJobs.Cli.Tests;

/// <summary>Runs the real heavyjobs executable as a child process, as a user would.</summary>
internal static class HeavyjobsProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "heavyjobs.dll");

    public static ProcessStartInfo StartInfo(string db, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(db)!,
        };
        info.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["HEAVYJOBS_DB"] = db;
        info.Environment["COLUMNS"] = "200";
        return info;
    }

    public static async Task<(int Exit, string Out, string Err)> RunAsync(string db, CancellationToken ct, params string[] args)
    {
        using var process = Process.Start(StartInfo(db, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running command; its output is collected in the returned builder.</summary>
    public static (Process Process, StringBuilder Output) Start(string db, params string[] args)
    {
        var output = new StringBuilder();
        var process = new Process { StartInfo = StartInfo(db, args) };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    public static void Signal(Process process, string signal) => Signal(process.Id, signal);

    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {pid}")!;
        kill.WaitForExit();
    }

    /// <summary>The repository this test runs from (where HeavyJobs.slnx is).</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HeavyJobs.slnx")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        }
    }

    public static string NewDbPath()
    {
        var dir = Path.Combine(Path.GetTempPath(), "heavyjobs-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, "heavyjobs.db");
    }
}
