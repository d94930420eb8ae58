using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Monitoring;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>Carries out what operators asked of this machine: stop, restart or terminate a worker, drain the machine, switch its version.</summary>
internal sealed class MonitorCommands(MonitorContext m, WorkerSupervisor supervisor, DeploySwitch deploy)
{
    public async Task ApplyAsync(CancellationToken ct)
    {
        foreach (var command in await m.Store.CommandTakeAsync(new CommandTakeParams(m.Options.Node, m.Time.GetUtcNow()), ct))
        {
            var target = command.WorkerId is { } id ? m.Find(id) : null;
            switch (command.Kind)
            {
                case CommandKinds.Stop when target is not null:
                    await supervisor.StopAsync(target, $"stopped by {command.Actor}", ct);
                    break;
                case CommandKinds.Restart when target is not null:
                    await supervisor.StopAsync(target, $"restarted by {command.Actor}", ct, replace: true);
                    break;
                case CommandKinds.Terminate when target is not null:
                    await supervisor.TerminateAsync(target, $"terminated by {command.Actor}", ActionKinds.Terminate, ct);
                    break;
                case CommandKinds.Drain:
                    await DrainAsync(command.Actor, ct);
                    break;
                case CommandKinds.Deploy:
                    await deploy.BeginAsync(command, ct);
                    break;
                default:
                    await m.ActAsync(ActionKinds.Ignored, $"{command.Kind} for worker {command.WorkerId} by {command.Actor}: no such live worker on this machine", ct, command.WorkerId);
                    break;
            }
        }
    }

    private async Task DrainAsync(string actor, CancellationToken ct)
    {
        foreach (var t in await m.Store.WorkerTargetListAsync(m.Options.Node, ct))
        {
            await m.Store.WorkerTargetSetAsync(new WorkerTargetSetParams(m.Options.Node, t.Type, 0, m.Time.GetUtcNow()), ct);
        }

        foreach (var w in m.Live())
        {
            await supervisor.StopAsync(w, $"machine drained by {actor}", ct);
        }

        await m.ActAsync(ActionKinds.Drain, $"machine drained by {actor}", ct);
    }
}
