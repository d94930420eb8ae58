using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Storage.Monitoring;

/// <summary>What an operator or the manager asks a machine's monitor to do.</summary>
public static class CommandKinds
{
    /// <summary>Drain one worker: it checkpoints, gives its chunks back and exits.</summary>
    public const string Stop = "stop";

    /// <summary>Kill one worker's process group now; its chunks return at once with their last checkpoint.</summary>
    public const string Terminate = "terminate";

    /// <summary>Stop one worker and start a fresh one in its place.</summary>
    public const string Restart = "restart";

    /// <summary>Stop every worker of the machine and set its targets to zero.</summary>
    public const string Drain = "drain";

    /// <summary>
    /// Switch the machine to another installed version (a rolling deploy's step, or its rollback); the argument
    /// says which (<c>DeployArg</c>). The monitor drains its workers and exits for its unit to start the new one.
    /// </summary>
    public const string Deploy = "deploy";

    public static bool IsKnown(string kind) => kind is Stop or Terminate or Restart or Drain;
}

/// <param name="Arg">What the kind needs beyond a worker id (a deploy's version and build, as JSON); null for most.</param>
public sealed record CommandRow(long Id, string Node, string Kind, long? WorkerId, string Actor, DateTimeOffset CreatedAt, string? Arg = null);

/// <param name="Log">The action that explains the command, logged in its transaction, its reason followed by " (command ID)".</param>
public sealed record CommandInsertParams(string Node, string Kind, long? WorkerId, string Actor, DateTimeOffset Now, string? Arg = null, ActionInsertParams? Log = null);

/// <summary>Takes the machine's open commands, oldest first, marking them taken in the same statement.</summary>
public sealed record CommandTakeParams(string Node, DateTimeOffset Now);
