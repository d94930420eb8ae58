using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// The machine's heartbeat for all its workers at once: one statement extends every lease they hold, one
/// transaction writes the rows that are due (state, chunk, CPU and RSS from /proc, items/s, stderr tail), one
/// statement adds their throughput samples. The machine's own row beats on its own loop (MachineBeat).
/// </summary>
internal sealed class Heartbeats(MonitorContext m)
{
    /// <summary>How often a machine whose workers are all idle is looked at: no lease to extend, nothing due sooner.</summary>
    public static readonly TimeSpan IdleStep = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Leases are extended and workers looked at every <see cref="MonitorOptions.HeartbeatInterval"/> while any
    /// of them holds chunks; a machine of idle workers is looked at less often, since every wake-up costs it.
    /// </summary>
    public TimeSpan Period() =>
        m.Live().Any(w => w.State != WorkerState.Idle || w.Chunks.Count > 0 || w.Proxy) ? m.Options.HeartbeatInterval : IdleStep;

    /// <summary>
    /// Whether a beat is due: its period has passed since <paramref name="lastBeatTs"/>, or a worker has become
    /// ready since its row was written. A new worker turns idle between two beats, and the machine's period then
    /// becomes the idle one: its row said "starting" for up to 5 s after it was ready (a scale-up took 5.0 s to
    /// show, the process 0.4 s to start).
    /// </summary>
    public bool Due(long lastBeatTs, long now) =>
        m.Time.GetElapsedTime(lastBeatTs, now) >= Period()
        || m.Live().Any(w => w.State != WorkerState.Starting && w.StateAtLastRow is null or WorkerState.Starting);

    public async Task BeatAsync(CancellationToken ct)
    {
        var live = m.Live();
        var holding = live.Where(w => w.Chunks.Count > 0 || w.Proxy).Select(w => w.Id).ToList();
        if (holding.Count > 0)
        {
            await m.Store.ChunkLeaseExtendAsync(new ChunkLeaseExtendParams(holding, m.Time.GetUtcNow(), m.Options.Lease), ct);
        }

        var now = m.Time.GetTimestamp();
        var updates = new List<WorkerUpdate>();
        foreach (var w in live.Where(w => w.StateAtLastRow != w.State || m.Time.GetElapsedTime(w.RowWrittenTs, now) >= m.Options.WorkerRowRefresh))
        {
            // CPU is measured between two rows: one read of /proc per row, not per heartbeat.
            w.Stats.Sample(w.Pid, m.Time);
            var seconds = w.RowWrittenTs == 0 ? 0 : m.Time.GetElapsedTime(w.RowWrittenTs, now).TotalSeconds;
            var rate = seconds > 0 ? Math.Round((w.Items - w.ItemsAtLastRow) / seconds, 1) : 0;
            updates.Add(new WorkerUpdate(w.Id, w.State, w.Chunks.Count > 0 ? w.Chunks[0] : null, w.Stats.CpuPercent, w.Stats.RssBytes, rate, w.StderrTail, WorkerVersion: w.Version));
            w.ItemsAtLastRow = w.Items;
            w.RowWrittenTs = now;
            w.StateAtLastRow = w.State;
            if (m.Time.GetElapsedTime(w.StartedTs, now) > m.Options.CrashLoopWindow && m.Tracker(w.Type).Survived())
            {
                await m.Store.WorkerTargetHealthAsync(new WorkerTargetHealthParams(m.Options.Node, w.Type, false, null, m.Time.GetUtcNow()), ct);
                await m.ActAsync(ActionKinds.Recovered, $"{w.Type}: a worker has lived {m.Options.CrashLoopWindow.TotalSeconds:0} s; no longer crash-looping", ct, w.Id);
            }
        }

        await m.Store.WorkerUpdateManyAsync(new WorkerUpdateManyParams(updates, m.Time.GetUtcNow()), ct);
        await m.Store.ThroughputAddAsync(new ThroughputAddParams(live.SelectMany(w => w.TakeSamples()).ToList()), ct);
    }
}
