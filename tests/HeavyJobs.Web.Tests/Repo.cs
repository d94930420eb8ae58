namespace HeavyJobs.Web.Tests;

/// <summary>The repository's folder, found by walking up to HeavyJobs.slnx, for docs/ files the tests check and write.</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HeavyJobs.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no HeavyJobs.slnx above {AppContext.BaseDirectory}");
    }
}
