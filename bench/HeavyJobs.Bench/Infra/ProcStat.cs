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
}
