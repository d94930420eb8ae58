using HeavyJobs.Core.Retry;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>Deaths of one worker type on this machine: how long to wait before the next start, and whether it is crash-looping.</summary>
internal sealed class CrashLoopTracker(MonitorOptions options, TimeProvider time)
{
    private readonly Queue<long> _deaths = new();
    private readonly Random _random = new();
    private int _inARow;

    public long NextStartTs { get; private set; }

    public bool CrashLooping { get; private set; }

    /// <summary>Records a death; returns true if this death made the type crash-looping.</summary>
    public bool Died()
    {
        var now = time.GetTimestamp();
        _deaths.Enqueue(now);
        Trim(now);
        _inARow++;
        // The first death in a row restarts at once: one crash is news, not a pattern.
        var delay = _inARow == 1 ? TimeSpan.Zero : RetryBackoff.Compute(_inARow - 1, _random, options.RestartBackoffBase, options.RestartBackoffCap);
        NextStartTs = now + (long)(delay.TotalSeconds * time.TimestampFrequency);
        var was = CrashLooping;
        CrashLooping = _deaths.Count >= options.CrashLoopDeaths;
        return CrashLooping && !was;
    }

    /// <summary>
    /// A worker of the type died after committing work: the type can run, so this death counts toward nothing, the
    /// next start is at once and the deaths before it are forgiven. Returns true if the type was crash-looping.
    /// </summary>
    public bool DiedAfterWork()
    {
        _deaths.Clear();
        _inARow = 0;
        NextStartTs = time.GetTimestamp();
        var was = CrashLooping;
        CrashLooping = false;
        return was;
    }

    public TimeSpan Delay => NextStartTs <= time.GetTimestamp() ? TimeSpan.Zero : time.GetElapsedTime(time.GetTimestamp(), NextStartTs);

    /// <summary>A worker of the type lived through a window: the type is healthy again. Returns true if it was crash-looping.</summary>
    public bool Survived()
    {
        _inARow = 0;
        Trim(time.GetTimestamp());
        var was = CrashLooping;
        CrashLooping = false;
        return was;
    }

    private void Trim(long now)
    {
        while (_deaths.Count > 0 && time.GetElapsedTime(_deaths.Peek(), now) > options.CrashLoopWindow)
        {
            _deaths.Dequeue();
        }
    }
}
