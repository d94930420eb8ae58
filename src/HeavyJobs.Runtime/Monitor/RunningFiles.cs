using System.Globalization;
using HeavyJobs.Runtime.Protocol;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// One monitor's directory of running files (<see cref="RunningFile"/>), one per worker it starts. It is named
/// after the monitor's process and a random suffix, so monitors of several stores on one machine never share
/// one; a directory whose monitor is gone (killed before it could remove it) is removed when another starts.
/// </summary>
internal sealed class RunningFiles : IDisposable
{
    private const string Prefix = "heavyjobs-running-";

    private readonly string _directory;

    public RunningFiles(string root)
    {
        _directory = Path.Combine(root, $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        RemoveStale(root);
    }

    /// <summary>Shared memory when the machine has it, so the files never reach a disk.</summary>
    public static string DefaultRoot => Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    /// <summary>Makes the empty file of a worker about to start, and returns its path.</summary>
    public string Create(long workerId)
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, workerId.ToString(CultureInfo.InvariantCulture));
        RunningFile.Create(path);
        return path;
    }

    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A few bytes left behind; the directory goes when the monitor stops.
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Never made (no worker started), or already gone.
        }
    }

    private static void RemoveStale(string root)
    {
        // Whether a process lives is read from /proc; without it, leave other monitors' directories alone.
        if (!Directory.Exists("/proc/self") || !Directory.Exists(root))
        {
            return;
        }

        foreach (var dir in Directory.EnumerateDirectories(root, Prefix + "*"))
        {
            var name = Path.GetFileName(dir)[Prefix.Length..];
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(name[..dash], CultureInfo.InvariantCulture, out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Another monitor starting at the same moment removed it, or it is not ours to remove.
                }
            }
        }
    }
}
