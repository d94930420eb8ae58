using System.Text.Json;

namespace HeavyJobs.Runtime.Fleet;

/// <summary>What the start guard did before a start of the unit.</summary>
public enum StartGuardOutcome
{
    /// <summary>No switch waits for its first good start.</summary>
    Nothing,

    /// <summary>A switched build is about to start once more.</summary>
    Counted,

    /// <summary>The switched build failed its starts: <c>current</c> points at the version it replaced again.</summary>
    RolledBack,
}

/// <summary>A switch that the start guard undid: the monitor of <paramref name="To"/> failed <paramref name="Starts"/> starts; <paramref name="From"/> is back.</summary>
public sealed record StartRollback(string From, string To, int Starts);

/// <summary>
/// The start guard: a deploy whose new monitor cannot even start (a missing file, a crash before it reaches the
/// store) cannot be undone by that monitor, nor by the deploy, which reaches machines only through the database.
/// So the switch leaves a note and a <c>previous</c> link to the build it replaced; the unit runs that build's
/// <c>heavyjobs service guard</c> before each start (ExecStartPre), which counts the new build's starts and, past
/// <see cref="StartsBeforeRollback"/>, points <c>current</c> back. The first monitor that joins the fleet clears
/// the note, and logs the rollback if there was one.
/// </summary>
public sealed partial class InstallRoot
{
    /// <summary>Starts a switched build gets before the guard puts the build it replaced back.</summary>
    public const int StartsBeforeRollback = 3;

    /// <summary>A link to the build the last switch replaced: the one the start guard runs.</summary>
    public string Previous => System.IO.Path.Combine(Path, "previous");

    private string PendingFile => System.IO.Path.Combine(Path, "switch.pending");

    private string RolledBackFile => System.IO.Path.Combine(Path, "switch.rolled-back");

    /// <summary>
    /// The version folder this process was started from: <c>versions/&lt;v&gt;</c> itself, or the one <c>current</c>
    /// points at when started through it; null when it runs from neither.
    /// </summary>
    public string? RunningVersion(string? baseDirectory = null)
    {
        var folder = new DirectoryInfo((baseDirectory ?? AppContext.BaseDirectory).TrimEnd('/'));
        return folder switch
        {
            { Parent.Name: "versions" } when folder.Parent.Parent?.FullName == Path => folder.Name,
            { Name: "current" } when folder.Parent?.FullName == Path => CurrentVersion,
            _ => null,
        };
    }

    /// <summary>Called by the switching monitor just before it points <c>current</c> at <paramref name="to"/>.</summary>
    public void BeginSwitch(string from, string to)
    {
        PointLink(Previous, from);
        Write(PendingFile, new StartRollback(from, to, 0));
    }

    /// <summary>Runs before each start of the unit (by the build <see cref="Previous"/> names).</summary>
    public (StartGuardOutcome Outcome, StartRollback? Switch) GuardStart()
    {
        if (Read(PendingFile) is not { } pending)
        {
            return (StartGuardOutcome.Nothing, null);
        }

        if (CurrentVersion != pending.To)
        {
            // Pointed elsewhere by hand since: that is the operator's choice, not a switch to guard.
            File.Delete(PendingFile);
            return (StartGuardOutcome.Nothing, null);
        }

        var counted = pending with { Starts = pending.Starts + 1 };
        if (counted.Starts <= StartsBeforeRollback)
        {
            Write(PendingFile, counted);
            return (StartGuardOutcome.Counted, counted);
        }

        var failed = pending;
        Point(pending.From);
        Write(RolledBackFile, failed);
        File.Delete(PendingFile);
        return (StartGuardOutcome.RolledBack, failed);
    }

    /// <summary>
    /// Called by a monitor of <paramref name="version"/> once it has joined the fleet: the switch to it, if any,
    /// is good. Returns the rollback the guard made before this start, once, for the action log.
    /// </summary>
    public StartRollback? ConfirmStarted(string version)
    {
        if (Read(PendingFile) is { } pending && pending.To == version)
        {
            File.Delete(PendingFile);
        }

        if (Read(RolledBackFile) is not { } undone)
        {
            return null;
        }

        File.Delete(RolledBackFile);
        return undone;
    }

    private static StartRollback? Read(string file)
    {
        try
        {
            return File.Exists(file) ? JsonSerializer.Deserialize(File.ReadAllText(file), FleetJsonContext.Default.StartRollback) : null;
        }
        catch (JsonException)
        {
            // A note that cannot be read guards nothing; a start must not fail because of it.
            return null;
        }
    }

    private static void Write(string file, StartRollback note)
    {
        var partial = $"{file}.{Environment.ProcessId}";
        File.WriteAllText(partial, JsonSerializer.Serialize(note, FleetJsonContext.Default.StartRollback));
        File.Move(partial, file, overwrite: true);
    }
}
