namespace HeavyJobs.Runtime.Monitor;

internal static class BootId
{
    /// <summary>Changes at every boot: a monitor that comes back with a new one knows its old workers are gone.</summary>
    public static string Read()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
