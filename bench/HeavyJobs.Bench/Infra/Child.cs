using System.Diagnostics;
using System.Runtime.InteropServices;

namespace HeavyJobs.Bench;

/// <summary>A child process of the bench (this executable in another mode, or another program), with its output lines.</summary>
internal sealed partial class Child : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<string> _errors = [];
    private readonly SemaphoreSlim _lineArrived = new(0);

    private Child(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_lines)
            {
                _lines.Add(e.Data);
            }

            _lineArrived.Release();
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_errors)
                {
                    _errors.Add(e.Data);
                }

                _lineArrived.Release();
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool Exited => _process.HasExited;

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return string.Join('\n', _errors.TakeLast(20));
            }
        }
    }

    /// <summary>This executable in another mode.</summary>
    public static Child Self(params string[] args)
    {
        var dll = typeof(Child).Assembly.Location;
        var apphost = Path.ChangeExtension(dll, null);
        return File.Exists(apphost) ? Start(apphost, args) : Start("dotnet", [dll, .. args]);
    }

    public static Child Start(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        return new Child(Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}"));
    }

    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>
    /// Waits for an output line that starts with <paramref name="prefix"/> (or holds it <paramref name="anywhere"/>:
    /// a log line starts with its time) and returns it; from standard error with <paramref name="fromErrors"/>
    /// (where the console logger writes).
    /// </summary>
    public async Task<string> LineAsync(string prefix, TimeSpan timeout, bool anywhere = false, bool fromErrors = false)
    {
        var source = fromErrors ? _errors : _lines;
        var deadline = DateTime.UtcNow + timeout;
        var exitedAndRead = false;
        while (true)
        {
            lock (source)
            {
                var hit = source.FirstOrDefault(l => anywhere ? l.Contains(prefix, StringComparison.Ordinal) : l.StartsWith(prefix, StringComparison.Ordinal));
                if (hit is not null)
                {
                    return hit;
                }
            }

            var left = deadline - DateTime.UtcNow;
            if (_process.HasExited && !exitedAndRead)
            {
                // A process that prints its last line and exits at once can be seen gone before that line is
                // read from its pipe: this waits for its output to end too, then the lines are looked at again.
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token);
                exitedAndRead = true;
                continue;
            }

            if (left <= TimeSpan.Zero || exitedAndRead)
            {
                throw new TimeoutException($"no '{prefix}' line from pid {Pid} (exited: {_process.HasExited}); stderr:\n{Errors}");
            }

            await _lineArrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Signal(int signal)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, signal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal(15);
            try
            {
                await WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        _lineArrived.Dispose();
    }

    /// <summary>Sends a signal to any process of this machine (SIGKILL is 9).</summary>
    public static void SignalPid(int pid, int signal) => _ = Kill(pid, signal);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
