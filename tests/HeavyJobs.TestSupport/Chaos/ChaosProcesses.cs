using System.Diagnostics;
using System.Globalization;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.TestSupport.Chaos;

/// <summary>Signals for the chaos runner: to several processes at once, and to a process with its descendants.</summary>
internal static class ChaosProcesses
{
    /// <summary>The process and every process under it, from /proc (no database needed: it may be down).</summary>
    public static List<int> Tree(int pid)
    {
        var all = new List<int> { pid };
        for (var i = 0; i < all.Count; i++)
        {
            var tasks = $"/proc/{all[i]}/task";
            if (!Directory.Exists(tasks))
            {
                continue;
            }

            foreach (var task in SafeDirectories(tasks))
            {
                var children = Path.Combine(task, "children");
                var text = File.Exists(children) ? SafeRead(children) : "";
                foreach (var c in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var child = int.Parse(c, CultureInfo.InvariantCulture);
                    if (!all.Contains(child))
                    {
                        all.Add(child);
                    }
                }
            }
        }

        return all;
    }

    public static async Task SignalAsync(IEnumerable<int> pids, string signal)
    {
        var list = pids.Select(p => p.ToString(CultureInfo.InvariantCulture)).ToList();
        if (list.Count == 0)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", .. list]) { RedirectStandardError = true, UseShellExecute = false })!;
        await kill.WaitForExitAsync();
    }

    /// <summary>
    /// Whether the worker row's pid is still that worker of this fleet: a chaos run outlasts a turn of the pids, so
    /// a pid from the row of a worker long gone may be any other process by now, another fleet's worker included.
    /// (A zombie's environment cannot be read, so a worker dead but not reaped is not one either.)
    /// </summary>
    public static bool IsWorker(WorkerRow worker, IReadOnlyCollection<string> dbs) =>
        worker.Pid > 0 && MonitorRun.IsWorker(worker.Pid, worker.Id, dbs);

    private static IEnumerable<string> SafeDirectories(string path)
    {
        try
        {
            return Directory.GetDirectories(path);
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    // A process can end between the look and the read.
    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
