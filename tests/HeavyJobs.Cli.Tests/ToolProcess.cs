using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace HeavyJobs.Cli.Tests;

/// <summary>Runs an executable other than the built heavyjobs.dll (dotnet itself, an installed tool's shim).</summary>
internal static class ToolProcess
{
    // Generous on a loaded machine, yet under the runner's 5 min hang timeout, so a run that never ends
    // (workers that cannot start) fails this test with its output instead of the whole assembly.
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    public static async Task<(int Exit, string Output)> RunAsync(
        string fileName, string? db, IEnumerable<string> args, CancellationToken ct, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var running = Start(fileName, db, args, environment);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Deadline);
        try
        {
            await running.Process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Assert.Fail($"{fileName} {string.Join(' ', args)} did not end within {Deadline}:\n{running.Output}");
        }

        // The parameterless wait also drains the redirected output.
        running.Process.WaitForExit();
        return (running.Process.ExitCode, running.Output);
    }

    public static RunningTool Start(string fileName, string? db, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = db is null ? Path.GetTempPath() : Path.GetDirectoryName(db)!,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        if (db is not null)
        {
            info.Environment["HEAVYJOBS_DB"] = db;
        }

        info.Environment["COLUMNS"] = "200";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // An installed tool's shim finds the runtime through DOTNET_ROOT when it is not in the default place.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ROOT")))
        {
            info.Environment["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new RunningTool(info);
    }
}

/// <summary>A started process whose output is collected; disposing kills it and its children.</summary>
internal sealed class RunningTool : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly List<(string Prefix, TaskCompletionSource<string> Line)> _waiters = [];

    public RunningTool(ProcessStartInfo info)
    {
        Process = new Process { StartInfo = info };
        Process.OutputDataReceived += (_, e) => OnLine(e.Data);
        Process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        Process.Start();
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The rest of the first line that starts with <paramref name="prefix"/>, once the process prints it.</summary>
    public async Task<string> WaitForLineAsync(string prefix, CancellationToken ct)
    {
        var line = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            var earlier = _output.ToString().Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (earlier is not null)
            {
                return earlier[prefix.Length..].TrimEnd();
            }

            _waiters.Add((prefix, line));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        var exited = Process.WaitForExitAsync(deadline.Token);
        var first = await Task.WhenAny(line.Task, exited);
        if (first != line.Task)
        {
            Assert.Fail($"no line starting '{prefix}' ({(Process.HasExited ? $"exited {Process.ExitCode}" : "timed out")}):\n{Output}");
        }

        return await line.Task;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync(CancellationToken.None);
        }

        Process.Dispose();
    }

    private void OnLine(string? data)
    {
        if (data is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(data);
            foreach (var waiter in _waiters.Where(w => data.StartsWith(w.Prefix, StringComparison.Ordinal)).ToList())
            {
                waiter.Line.TrySetResult(data[waiter.Prefix.Length..].TrimEnd());
                _waiters.Remove(waiter);
            }
        }
    }
}
