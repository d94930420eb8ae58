namespace HeavyJobs.Runtime.Monitor;

/// <summary>Brings the number of live workers of each type on this machine to its target.</summary>
internal sealed class Convergence(MonitorContext m, WorkerSupervisor supervisor)
{
    /// <summary>Whether the machine is drained: no workers at all, whatever the targets say.</summary>
    public Func<bool> Drained { get; set; } = () => false;

    public async Task ConvergeAsync(CancellationToken ct)
    {
        var targets = await m.Store.WorkerTargetListAsync(m.Options.Node, ct);
        var drained = Drained();
        var wanted = targets.ToDictionary(t => t.Type, t => drained ? 0 : t.Count);
        foreach (var type in m.Live().Select(w => w.Type).Distinct().Where(t => !wanted.ContainsKey(t)).ToList())
        {
            wanted[type] = 0;
        }

        foreach (var (type, count) in wanted)
        {
            var ofType = m.Live().Where(w => w.Type == type).ToList();
            var live = ofType.Where(w => w.EndingReason is null).ToList();
            // A worker ending to be replaced (a restart, a hung worker's kill) is replaced as it exits: counted
            // here too, it would be replaced twice and one of the two stopped again.
            var counted = live.Count + ofType.Count(w => w.EndingReason is not null && w.ReplaceWhenGone);
            if (counted > count)
            {
                // Idle ones go first: scaling down should not interrupt work if it can help it.
                foreach (var w in live.OrderBy(w => w.State == Core.Model.WorkerState.Busy).ThenByDescending(w => w.Id).Take(counted - count))
                {
                    await supervisor.StopAsync(w, drained ? $"machine {m.Options.Node} drained" : $"scale {type}: {counted} → {count}", ct);
                }
            }
            else if (counted < count && m.Tracker(type).Delay <= TimeSpan.Zero)
            {
                for (var i = counted; i < count; i++)
                {
                    await supervisor.StartAsync(type, $"scale {type}: {counted} → {count}", ct);
                }
            }
        }
    }
}
