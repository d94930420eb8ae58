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
