using System.Diagnostics;
using HeavyJobs.Runtime.Fleet;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Monitoring;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// The monitor's part of a rolling deploy: install the version beside the others, check that the build starts,
/// drain every worker (checkpoint, give back, exit), point the install root's <c>current</c> at it, and end the
/// monitor so that its unit starts it again from there (<see cref="Hosting.RoleFailure.Redeploy"/>). A rollback
/// is the same without the install. Whatever fails before the drain leaves the machine as it was, and says so.
/// </summary>
internal sealed class DeploySwitch(MonitorContext m, WorkerSupervisor supervisor)
{
    /// <summary>How long the new build gets to answer <c>--version</c> before it is taken for broken.</summary>
    private static readonly TimeSpan SmokeTimeout = TimeSpan.FromSeconds(60);

    private InstallRoot? _root;

    /// <summary>The version being switched to while the workers drain; the machine runs no new workers meanwhile.</summary>
    public DeployArg? Pending { get; private set; }

    /// <summary>The version <c>current</c> now points at: the monitor ends for its unit to start that build.</summary>
    public string? SwitchedTo { get; private set; }

    public async Task BeginAsync(CommandRow command, CancellationToken ct)
    {
        if (Pending is not null)
        {
            await m.ActAsync(ActionKinds.Ignored, $"deploy by {command.Actor}: this machine is already switching to {Pending.Version}", ct);
            return;
        }

        DeployArg arg;
        string folder;
        try
        {
            arg = DeployArg.Parse(command.Arg);
            _root = InstallRoot.OfRunningBuild(m.Options.InstallRoot)
                ?? throw new InvalidOperationException(
                    $"this monitor runs from {AppContext.BaseDirectory}, not from an install root (<root>/current or <root>/versions/<v>); set HeavyJobs__Monitor__InstallRoot or install it with heavyjobs service install");
            if (arg.Rollback)
            {
                folder = _root.VersionFolder(arg.Version);
                if (!Directory.Exists(folder))
                {
                    throw new DirectoryNotFoundException($"version {arg.Version} is not installed in {_root.Path}");
                }
            }
            else
            {
                folder = _root.Install(arg.Source ?? throw new FormatException("a deploy command needs a build to install"), arg.Version);
                await m.ActAsync(ActionKinds.DeployInstall, $"installed {arg.Version} from {arg.Source} into {folder} (kept beside {_root.CurrentVersion ?? "nothing"})", ct);
            }

            await SmokeAsync(folder, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await m.ActAsync(ActionKinds.DeployFailed, $"machine {m.Options.Node} cannot switch ({command.Arg}): {ex.Message}; it keeps running {m.Options.Version}", ct);
            return;
        }

        Pending = arg;
        var live = m.Live();
        foreach (var w in live)
        {
            await supervisor.StopAsync(w, $"deploy of {arg.Version}: draining", ct);
        }

        await m.ActAsync(ActionKinds.DeployMachine, $"{(arg.Rollback ? "rolling back" : "switching")} to {arg.Version} for {command.Actor}: draining {live.Count} workers", ct);
        m.Signal.Release();
    }

    /// <summary>Once the last worker is gone, points <c>current</c> at the pending version; true when the monitor should end.</summary>
    public async Task<bool> SwitchIfDrainedAsync(CancellationToken ct)
    {
        if (Pending is not { } arg || _root is null || m.Live().Count > 0)
        {
            return false;
        }

        // Another build gets a verdict of its own: a type that crash-looped on the old one starts afresh on the new.
        foreach (var t in (await m.Store.WorkerTargetListAsync(m.Options.Node, ct)).Where(t => t.CrashLooping))
        {
            await m.Store.WorkerTargetHealthAsync(new Storage.Monitoring.WorkerTargetHealthParams(m.Options.Node, t.Type, false, null, m.Time.GetUtcNow()), ct);
        }

        var from = _root.CurrentVersion;
        if (from is not null && from != arg.Version)
        {
            // Should the new build's monitor not even start, the unit's start guard puts this one back.
            _root.BeginSwitch(from, arg.Version);
        }

        _root.Point(arg.Version);
        SwitchedTo = arg.Version;
        await m.ActAsync(
            ActionKinds.DeploySwitch,
            $"workers drained; {_root.Current} → versions/{arg.Version} (was {from ?? "none"}); monitor pid {Environment.ProcessId} exits with code {Hosting.RoleFailure.Redeploy} for its unit to start it from there",
            ct);
        return true;
    }

    /// <summary>
    /// Once this monitor has joined: a switch to its build is confirmed, and a switch the start guard undid before
    /// this start (the new build's monitor failed its starts) is logged, so the deploy that waits for it stops.
    /// </summary>
    public async Task ConfirmStartedAsync(CancellationToken ct)
    {
        StartRollback? undone;
        try
        {
            // The version folder this process runs from, not the version the build reports: a deploy may name the
            // folder otherwise (--version-name), and a switch left unconfirmed would be rolled back by later restarts.
            undone = InstallRoot.OfRunningBuild(m.Options.InstallRoot) is { } root && root.RunningVersion() is { } running
                ? root.ConfirmStarted(running)
                : null;
        }
        catch (IOException ex)
        {
            await m.ActAsync(ActionKinds.DeployFailed, $"machine {m.Options.Node} could not read its install root's switch note: {ex.Message}", ct);
            return;
        }

        if (undone is not null)
        {
            await m.ActAsync(
                ActionKinds.DeployRollback,
                $"the monitor of {undone.To} failed {undone.Starts} starts in a row on {m.Options.Node}; the start guard pointed current back at {undone.From}, which this monitor runs",
                ct);
        }
    }

    /// <summary>Starts the new build as this monitor would start it, asking only its version: one that cannot even do that is not switched to.</summary>
    private static async Task SmokeAsync(string folder, CancellationToken ct)
    {
        var self = Hosting.SelfCommand.Current;
        string[] command = self.Count == 2 ? [self[0], Path.Combine(folder, Path.GetFileName(self[1]))] : [Path.Combine(folder, Path.GetFileName(self[0]))];
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1).Append("--version"))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {command[0]}");
        var error = process.StandardError.ReadToEndAsync(ct);
        _ = process.StandardOutput.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(SmokeTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the build in {folder} did not answer --version within {SmokeTimeout.TotalSeconds:0} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the build in {folder} fails to start (--version exited {process.ExitCode}): {(await error).Trim()}");
        }
    }
}
