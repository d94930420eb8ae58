using System.Diagnostics;
using System.Globalization;

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

    /// <summary>Whether pid is a worker a monitor started (a reused pid is not).</summary>
    public static bool IsWorker(int pid) =>
        pid > 0 && MonitorRun.Alive(pid) && SafeRead($"/proc/{pid}/cmdline").Contains("--monitored", StringComparison.Ordinal);

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
