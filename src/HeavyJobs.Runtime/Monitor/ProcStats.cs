using System.Globalization;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>CPU time and resident memory of a process, read from /proc: what the ps shows.</summary>
internal sealed class ProcStats
{
    private static readonly long ClockTicks = 100;
    private static readonly long PageSize = Environment.SystemPageSize;

    private double _lastCpuSeconds = -1;
    private long _lastTimestamp;

    public double CpuPercent { get; private set; }

    public long RssBytes { get; private set; }

    public void Sample(int pid, TimeProvider time)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may contain spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var cpuSeconds = (double)(long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicks;
            RssBytes = long.Parse(fields[21], CultureInfo.InvariantCulture) * PageSize;
            var now = time.GetTimestamp();
            if (_lastCpuSeconds >= 0)
            {
                var wall = time.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
                CpuPercent = wall > 0 ? Math.Round(100 * (cpuSeconds - _lastCpuSeconds) / wall, 1) : 0;
            }

            _lastCpuSeconds = cpuSeconds;
            _lastTimestamp = now;
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            // The process is gone or not ours to read; keep the last figures.
        }
    }
}
