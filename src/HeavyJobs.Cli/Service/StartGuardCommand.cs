using System.CommandLine;
using HeavyJobs.Runtime.Fleet;

namespace HeavyJobs.Cli.Service;

/// <summary>
/// <c>heavyjobs service guard --root DIR</c>: what a unit runs before each start (ExecStartPre), from the build
/// a deploy replaced (<c>DIR/previous</c>), so that it still runs when the new build cannot start at all
/// (<see cref="InstallRoot.GuardStart"/>). It never stops the start: whatever happens, the exit code is 0 unless
/// the root itself is unusable.
/// </summary>
internal static class StartGuardCommand
{
    public static Command Create()
    {
        var root = new Option<string>("--root") { Description = "The install root (versions/, current, previous).", Required = true };
        var command = new Command("guard", $"Before a unit starts: count the starts of a build a deploy just switched to, and after {InstallRoot.StartsBeforeRollback} failed ones point current back at the build it replaced.") { root };
        command.SetAction(async (parse, ct) =>
        {
            var install = new InstallRoot(parse.GetValue(root)!);
            if (!Directory.Exists(install.Path))
            {
                await Console.Error.WriteLineAsync($"error: no install root at {install.Path}");
                return 2;
            }

            try
            {
                var (outcome, note) = install.GuardStart();
                var line = outcome switch
                {
                    StartGuardOutcome.Counted => $"start {note!.Starts} of {InstallRoot.StartsBeforeRollback} for {note.To} (switched from {note.From})",
                    StartGuardOutcome.RolledBack => $"{note!.To} failed {note.Starts} starts: current points at {note.From} again",
                    _ => "no switch to guard",
                };
                await Console.Out.WriteLineAsync($"heavyjobs start guard: {line}");
                return 0;
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"error: start guard in {install.Path}: {ex.Message}");
                return 1;
            }
        });
        return command;
    }
}
