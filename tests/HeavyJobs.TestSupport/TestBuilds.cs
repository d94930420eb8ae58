using HeavyJobs.Runtime.Hosting;

namespace HeavyJobs.TestSupport;

/// <summary>Builds to deploy: copies of the test host's build, each stamped with a version of its own.</summary>
public static class TestBuilds
{
    /// <summary>A copy of the test host's build in <c>&lt;builds&gt;/build-&lt;version&gt;</c>, stamped with <paramref name="version"/>.</summary>
    public static string Stamp(string builds, string version)
    {
        var folder = Path.Combine(builds, "build-" + version);
        CopyTree(MonitorRun.HostFolder, folder);
        File.WriteAllText(Path.Combine(folder, AppVersion.StampFile), version + "\n");
        return folder;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.GetDirectories(from))
        {
            CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }
}
