using System.Diagnostics;
using System.Runtime.InteropServices;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// Workers run in their own process group (started through setsid), so terminating one kills whatever it
/// spawned too, and a signal meant for the monitor's terminal does not reach them.
/// </summary>
internal static partial class ProcessGroup
{
    private const int Sigkill = 9;

    public static ProcessStartInfo InNewGroup(IReadOnlyList<string> command)
    {
        // setsid execs the command in place when its caller is not a group leader (a child never is), so the
        // pid we see is the worker's, and it leads its own group.
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var part in command)
        {
            info.ArgumentList.Add(part);
        }

        return info;
    }

    /// <summary>SIGKILL to the whole group; falls back to the process alone if the group is already gone.</summary>
    public static void Kill(Process process)
    {
        try
        {
            if (Kill(-process.Id, Sigkill) != 0)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
