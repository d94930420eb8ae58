using System.Diagnostics;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Runtime.Fleet;

/// <summary>What to deploy where, and how long each machine gets.</summary>
/// <param name="Source">The build (a folder, .zip or .nupkg) as every machine sees it.</param>
/// <param name="Machines">In this order, one at a time.</param>
/// <param name="SwitchTimeout">From the command until the machine's monitor is back on the version.</param>
/// <param name="HealthTimeout">From the monitor's return until its workers run the version and work.</param>
public sealed record DeployPlan(string Source, string Version, IReadOnlyList<string> Machines, TimeSpan SwitchTimeout, TimeSpan HealthTimeout, string Actor);

/// <summary>
/// A rolling deploy, machine by machine, through the database alone: a deploy command per machine, which its
/// monitor carries out (<c>Monitor/DeploySwitch.cs</c>), then a check that the machine's workers came up on the new
/// version and work. A failed check switches that machine back and stops. Every step is an action and a line
/// said through <c>say</c>.
/// </summary>
public sealed class RollingDeploy(IHeavyStore store, TimeProvider time, Action<string> say)
{
    /// <summary>How often the deploy looks at the machine it waits for.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>Runs the plan; true when every machine runs the version.</summary>
    public async Task<bool> RunAsync(DeployPlan plan, CancellationToken ct)
    {
        await ActAsync(plan, ActionKinds.DeployStart, null, $"deploy {plan.Version} from {plan.Source} to {string.Join(", ", plan.Machines)}, one machine at a time", ct);
        for (var i = 0; i < plan.Machines.Count; i++)
        {
            var machine = plan.Machines[i];
            var node = await NodeAsync(machine, ct);
            if (node.Version == plan.Version)
            {
                say($"{machine}: runs {plan.Version} already");
                continue;
            }

            var old = node.Version;
            var rest = string.Join(", ", plan.Machines.Skip(i + 1));
            var step = await SwitchAsync(plan, machine, new DeployArg(plan.Version, plan.Source, Rollback: false), ct);
            string? failure = step.Failure;
            if (step.Undone)
            {
                say($"{machine}: {failure}");
                say("versions now: " + await MixAsync(ct));
            }
            else if (failure is null)
            {
                var health = await HealthyAsync(plan, machine, plan.Version, step.Sent, ct);
                failure = health.Failure;
                if (failure is null)
                {
                    var line = $"{machine}: {old} → {plan.Version}; monitor back {step.Back.TotalSeconds:0.0} s after the command, workers at work {health.Back.TotalSeconds:0.0} s after it ({health.Detail})";
                    await ActAsync(plan, ActionKinds.DeployHealthy, machine, line, ct);
                    say(line);
                    say("versions now: " + await MixAsync(ct));
                    continue;
                }

                // The machine switched and failed its check: back to the version it had.
                say($"{machine}: {failure}; rolling back to {old}");
                var back = await SwitchAsync(plan, machine, new DeployArg(old, null, Rollback: true), ct);
                var rollbackFailure = back.Failure ?? (await HealthyAsync(plan, machine, old, back.Sent, ct)).Failure;
                var outcome = rollbackFailure is null ? $"{machine} runs {old} again" : $"the rollback failed too: {rollbackFailure}";
                await ActAsync(plan, ActionKinds.DeployRollback, machine, $"{machine} switched back to {old}: {outcome}", ct);
                say($"{machine}: {outcome}");
                say("versions now: " + await MixAsync(ct));
            }

            var stop = $"deploy of {plan.Version} stopped at {machine}: {failure}" + (rest.Length > 0 ? $"; not deployed: {rest}" : "");
            await ActAsync(plan, ActionKinds.DeployFailed, machine, stop, ct);
            say(stop);
            return false;
        }

        await ActAsync(plan, ActionKinds.DeployDone, null, $"{string.Join(", ", plan.Machines)} run {plan.Version}", ct);
        say($"deployed {plan.Version} to {string.Join(", ", plan.Machines)}");
        return true;
    }

    /// <summary>Each live worker's own version, per machine: what <c>workers ps</c> shows during the roll.</summary>
    public async Task<string> MixAsync(CancellationToken ct)
    {
        var workers = await store.WorkerListAsync(new WorkerListParams(), ct);
        return string.Join(
            "; ",
            workers.Where(w => w.State is WorkerState.Idle or WorkerState.Busy or WorkerState.Starting)
                .GroupBy(w => w.Node)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key}: " + string.Join(", ", g.GroupBy(w => w.WorkerVersion ?? "?").Select(v => $"{v.Count()} on {v.Key}"))));
    }

    /// <returns>Why it failed, if it did; <c>Undone</c> when the machine already went back by itself (its start guard).</returns>
    private async Task<(string? Failure, long Sent, TimeSpan Back, bool Undone)> SwitchAsync(DeployPlan plan, string machine, DeployArg arg, CancellationToken ct)
    {
        var before = await NodeAsync(machine, ct);
        var lastAction = (await store.ActionListAsync(new ActionListParams(1), ct)).FirstOrDefault()?.Id ?? 0;
        var sent = time.GetTimestamp();
        await store.CommandInsertAsync(new CommandInsertParams(machine, CommandKinds.Deploy, null, plan.Actor, time.GetUtcNow(), arg.ToJson()), ct);
        say($"{machine}: {(arg.Rollback ? "back" : "switching")} to {arg.Version} (drain, switch, restart)");
        while (time.GetElapsedTime(sent) < plan.SwitchTimeout)
        {
            await Task.Delay(Poll, time, ct);
            // The monitor said it cannot switch (no install root, the build is missing or does not start): nothing changed there.
            var refused = (await store.ActionListAsync(new ActionListParams(20, Kind: ActionKinds.DeployFailed, Node: machine), ct)).FirstOrDefault(a => a.Id > lastAction);
            if (refused is not null)
            {
                return (refused.Reason, sent, default, false);
            }

            // Its new monitor could not even start, and the unit's start guard put the old build back.
            var undone = (await store.ActionListAsync(new ActionListParams(20, Kind: ActionKinds.DeployRollback, Node: machine), ct)).FirstOrDefault(a => a.Id > lastAction);
            if (undone is not null)
            {
                return (undone.Reason, sent, default, true);
            }

            var now = await NodeAsync(machine, ct);
            if (now.Version == arg.Version && now.Pid != before.Pid && now.State == NodeStates.Up)
            {
                return (null, sent, time.GetElapsedTime(sent), false);
            }
        }

        return ($"its monitor did not come back on {arg.Version} within {plan.SwitchTimeout.TotalSeconds:0} s (is its unit restarting it from the install root's current?)", sent, default, false);
    }

    /// <summary>
    /// Healthy: as many live workers as the machine's targets ask, each reporting <paramref name="version"/> itself,
    /// and at work (one of them moving items) or idle for want of work. Failed: a type crash-looping there.
    /// </summary>
    private async Task<(string? Failure, TimeSpan Back, string Detail)> HealthyAsync(DeployPlan plan, string machine, string version, long sent, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var detail = "";
        while (time.GetElapsedTime(started) < plan.HealthTimeout)
        {
            var node = await NodeAsync(machine, ct);
            var targets = await store.WorkerTargetListAsync(machine, ct);
            if (targets.FirstOrDefault(t => t.CrashLooping) is { } looping)
            {
                return ($"workers of {looping.Type} fail at start on {version}: {looping.Note?.Trim()}", default, "");
            }

            var wanted = node.Drained ? 0 : targets.Sum(t => t.Count);
            var live = (await store.WorkerListAsync(new WorkerListParams(machine), ct))
                .Where(w => w.State is WorkerState.Idle or WorkerState.Busy or WorkerState.Starting).ToList();
            var up = live.Where(w => w.WorkerVersion == version && w.State is WorkerState.Idle or WorkerState.Busy).ToList();
            detail = $"{up.Count} of {wanted} workers on {version}, {up.Count(w => w.ItemsPerSecond > 0)} moving items";
            if (up.Count >= wanted && live.Count == up.Count && (wanted == 0 || up.Any(w => w.ItemsPerSecond > 0) || up.All(w => w.State == WorkerState.Idle)))
            {
                return (null, time.GetElapsedTime(sent), detail);
            }

            await Task.Delay(Poll, time, ct);
        }

        return ($"its workers were not healthy on {version} within {plan.HealthTimeout.TotalSeconds:0} s ({detail})", default, detail);
    }

    private async Task<NodeRow> NodeAsync(string machine, CancellationToken ct) =>
        (await store.NodeListAsync(ct)).FirstOrDefault(n => n.Name == machine) ?? throw new InvalidOperationException($"unknown machine '{machine}'");

    private Task ActAsync(DeployPlan plan, string kind, string? node, string reason, CancellationToken ct) =>
        store.ActionInsertAsync(new ActionInsertParams(plan.Actor, kind, reason, time.GetUtcNow(), node), ct);
}
