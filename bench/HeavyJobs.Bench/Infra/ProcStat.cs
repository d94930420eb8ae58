using System.Globalization;

namespace HeavyJobs.Bench;

/// <summary>A process's CPU time from /proc: what a figure cost, whatever the machine's load did to its wall time.</summary>
internal static class ProcStat
{
    /// <summary>User plus system time of the process so far, in clock ticks (USER_HZ, 100 a second on Linux); 0 once it is gone.</summary>
    public static long CpuTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public const double TicksPerSecond = 100;

    /// <summary>The process's resident set in MB, or null once it is gone.</summary>
    public static double? RssMb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The process and every living descendant of it, each with its command line's arguments.</summary>
    public static List<(int Pid, string[] Args)> Tree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    var stat = File.ReadAllText($"{dir}/stat");
                    parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                }
            }
        }

        var tree = new List<(int, string[])>();
        var next = new Queue<int>([root]);
        while (next.TryDequeue(out var pid))
        {
            try
            {
                tree.Add((pid, File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries)));
            }
            catch (IOException)
            {
                continue;
            }

            foreach (var (child, parent) in parents)
            {
                if (parent == pid)
                {
                    next.Enqueue(child);
                }
            }
        }

        return tree;
    }
}
