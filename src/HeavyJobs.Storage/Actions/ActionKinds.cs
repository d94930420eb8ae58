namespace HeavyJobs.Storage.Actions;

/// <summary>
/// Every kind of row in the action log, defined once: the processes that write actions, the metrics that count
/// them and the pages that filter on them all name these, so rewording a reason never changes what is counted.
/// </summary>
public static class ActionKinds
{
    // Worker processes, written by their machine's monitor (or by a foreground worker itself).
    public const string Start = "start";
    public const string Stop = "stop";
    public const string Exit = "exit";
    public const string Died = "died";

    /// <summary>A worker killed because it did not leave within its stop grace, or sent garbage.</summary>
    public const string Kill = "kill";

    /// <summary>A worker killed because it was hung: silent, or busy without progress past its stall timeout.</summary>
    public const string Hung = "hung";

    /// <summary>A worker killed at an operator's word.</summary>
    public const string Terminate = "terminate";

    public const string Restart = "restart";
    public const string Backoff = "backoff";
    public const string CrashLoop = "crash-loop";
    public const string Recovered = "recovered";
    public const string Ignored = "ignored";

    // Machines.
    public const string MonitorStart = "monitor-start";
    public const string MonitorStop = "monitor-stop";
    public const string Drain = "drain";

    // Chunks.
    public const string Reclaim = "reclaim";
    public const string Quarantine = "quarantine";
    public const string Reset = "reset";

    /// <summary>An operator let a quarantined chunk run again from its last checkpoint.</summary>
    public const string Release = "release";
    public const string SlowDown = "slow-down";

    // Jobs and pipelines, written by the manager.
    public const string ManagerStart = "manager-start";
    public const string Advance = "advance";
    public const string JobCompleted = "job-completed";
    public const string JobFailed = "job-failed";
    public const string JobCancelled = "job-cancelled";

    /// <summary>A prune: what retention removed, table by table.</summary>
    public const string Prune = "prune";

    // Schedules.
    public const string ScheduleRun = "schedule-run";
    public const string ScheduleSkip = "schedule-skip";
    public const string ScheduleIdle = "schedule-idle";
    public const string ScheduleError = "schedule-error";

    // Operators.
    public const string Scale = "scale";
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string Cancel = "cancel";

    // The fleet.
    /// <summary>A manager took the lead (a new leadership epoch).</summary>
    public const string Lead = "lead";

    /// <summary>A leader lost the lead (its lock's session ended, or it froze past it) and stands by.</summary>
    public const string LeadLost = "lead-lost";

    /// <summary>A machine stopped beating and was declared dead: its workers lost, its chunks freed.</summary>
    public const string MachineDead = "machine-dead";

    /// <summary>A machine declared dead beat again (or its monitor came back): it takes work again.</summary>
    public const string MachineRejoined = "machine-rejoined";

    /// <summary>A machine's monitor started with a new boot id: its old workers are gone, their chunks freed.</summary>
    public const string MachineRebooted = "machine-rebooted";

    /// <summary>An operator drained (cordoned) or undrained a machine.</summary>
    public const string MachineDrain = "machine-drain";
    public const string MachineUndrain = "machine-undrain";

    /// <summary>The manager spread a fleet-wide target over the machines that are up.</summary>
    public const string Spread = "spread";

    // Rolling deploys (docs/operations.md, "Deploy").
    /// <summary>An operator started a rolling deploy of a version over the listed machines.</summary>
    public const string DeployStart = "deploy-start";

    /// <summary>The deploy asked one machine to switch (or to switch back, on a rollback).</summary>
    public const string DeployMachine = "deploy-machine";

    /// <summary>A monitor installed a version into its install root, beside the ones it has.</summary>
    public const string DeployInstall = "deploy-install";

    /// <summary>A monitor drained its workers, pointed its install root at the version and exits to be started from it.</summary>
    public const string DeploySwitch = "deploy-switch";

    /// <summary>A machine's workers came up on the new version and work again.</summary>
    public const string DeployHealthy = "deploy-healthy";

    /// <summary>A machine whose check failed was switched back to its old version.</summary>
    public const string DeployRollback = "deploy-rollback";

    /// <summary>A deploy stopped: a check failed, or a monitor could not install or switch.</summary>
    public const string DeployFailed = "deploy-failed";

    /// <summary>Every machine of the deploy runs the new version.</summary>
    public const string DeployDone = "deploy-done";
}
