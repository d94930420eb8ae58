using System.IO.Compression;
using HeavyJobs.Runtime.Fleet;

namespace HeavyJobs.Runtime.Tests.Fleet;

/// <summary>What a deploy installs: a build folder, a .zip of one or a .NET tool package, side by side, switched by one link.</summary>
public sealed class InstallRootTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", "install-" + Guid.NewGuid().ToString("N"));

    public InstallRootTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AFolder_AZip_AndAToolPackage_InstallTheSameBuild_SideBySide_AndCurrentMovesBetweenThem()
    {
        var build = Build("build");
        var zip = Path.Combine(_dir, "build.zip");
        ZipFile.CreateFromDirectory(build, zip);
        var nupkg = Path.Combine(_dir, "HeavyJobs.Cli.2.0.0.nupkg");
        using (var package = ZipFile.Open(nupkg, ZipArchiveMode.Create))
        {
            package.CreateEntry("HeavyJobs.Cli.nuspec").Open().Dispose();
            foreach (var file in Directory.GetFiles(build, "*", SearchOption.AllDirectories))
            {
                package.CreateEntryFromFile(file, "tools/net10.0/any/" + Path.GetRelativePath(build, file).Replace('\\', '/'));
            }
        }

        var root = new InstallRoot(Path.Combine(_dir, "root"));
        Assert.Null(root.CurrentVersion);
        foreach (var (source, version) in new[] { (build, "1.0.0"), (zip, "1.1.0"), (nupkg, "2.0.0") })
        {
            var folder = root.Install(source, version);
            Assert.Equal(root.VersionFolder(version), folder);
            Assert.Equal(Tree(build), Tree(folder));
        }

        // Nothing half-made is left beside the versions.
        Assert.Equal(["1.0.0", "1.1.0", "2.0.0"], Directory.GetDirectories(Path.Combine(root.Path, "versions")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        root.Point("2.0.0");
        Assert.Equal("2.0.0", root.CurrentVersion);
        Assert.Equal("2", File.ReadAllText(Path.Combine(root.Current, "VERSION")));
        root.Point("1.0.0");
        Assert.Equal("1.0.0", root.CurrentVersion);
        Assert.Throws<DirectoryNotFoundException>(() => root.Point("9.9.9"));
        Assert.Equal("1.0.0", root.CurrentVersion);
    }

    [Fact]
    public void APackageWithAnEntryOutsideItsFolder_IsRefused_AndNeitherInstallsNorWritesAnything()
    {
        var evil = Path.Combine(_dir, "evil.zip");
        using (var package = ZipFile.Open(evil, ZipArchiveMode.Create))
        {
            using (var writer = new StreamWriter(package.CreateEntry("heavyjobs.dll").Open()))
            {
                writer.Write("build");
            }

            using (var writer = new StreamWriter(package.CreateEntry("../../outside.txt").Open()))
            {
                writer.Write("should not be written");
            }
        }

        var root = new InstallRoot(Path.Combine(_dir, "root"));
        Assert.ThrowsAny<IOException>(() => root.Install(evil, "6.6.6"));

        Assert.False(Directory.Exists(root.VersionFolder("6.6.6")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(root.Path, "versions")));
        Assert.Empty(Directory.GetFiles(_dir, "outside.txt", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_dir)!, "outside.txt")));
    }

    [Fact]
    public void AVersionAlreadyInstalled_IsKeptAsItIs()
    {
        var root = new InstallRoot(Path.Combine(_dir, "root"));
        var folder = root.Install(Build("first"), "1.0.0");
        var second = Build("second");
        File.WriteAllText(Path.Combine(second, "VERSION"), "other");

        Assert.Equal(folder, root.Install(second, "1.0.0"));
        Assert.Equal("2", File.ReadAllText(Path.Combine(folder, "VERSION")));
    }

    [Fact]
    public void ASwitchedBuildThatNeverStarts_IsCountedBeforeEachStart_AndPutBackAfterItsLastOne_OnceAndLoggedOnce()
    {
        var root = Switched();
        Assert.Equal("1.0.0", Path.GetFileName(new FileInfo(root.Previous).LinkTarget));
        for (var start = 1; start <= InstallRoot.StartsBeforeRollback; start++)
        {
            Assert.Equal((StartGuardOutcome.Counted, new StartRollback("1.0.0", "2.0.0", start)), root.GuardStart());
            Assert.Equal("2.0.0", root.CurrentVersion);
        }

        // Every start failed (no monitor ever confirmed): the next start runs the old build.
        Assert.Equal((StartGuardOutcome.RolledBack, new StartRollback("1.0.0", "2.0.0", InstallRoot.StartsBeforeRollback)), root.GuardStart());
        Assert.Equal("1.0.0", root.CurrentVersion);
        Assert.Equal((StartGuardOutcome.Nothing, null), root.GuardStart());
        Assert.Equal("1.0.0", root.CurrentVersion);

        // The old build's monitor joins: it learns of the rollback once, to log it.
        Assert.Equal(new StartRollback("1.0.0", "2.0.0", InstallRoot.StartsBeforeRollback), root.ConfirmStarted("1.0.0"));
        Assert.Null(root.ConfirmStarted("1.0.0"));
    }

    [Fact]
    public void ASwitchedBuildWhoseMonitorJoins_IsConfirmed_AndLaterRestartsNeverRollItBack()
    {
        var root = Switched();

        Assert.Equal(StartGuardOutcome.Counted, root.GuardStart().Outcome);
        // An old monitor's confirmation is not the new build's.
        Assert.Null(root.ConfirmStarted("1.0.0"));
        Assert.Equal(StartGuardOutcome.Counted, root.GuardStart().Outcome);
        Assert.Null(root.ConfirmStarted("2.0.0"));
        for (var start = 0; start <= InstallRoot.StartsBeforeRollback; start++)
        {
            Assert.Equal((StartGuardOutcome.Nothing, null), root.GuardStart());
        }

        Assert.Equal("2.0.0", root.CurrentVersion);
    }

    [Fact]
    public void TheRunningVersion_IsTheFolderAProcessStartedFrom_DirectlyOrThroughCurrent()
    {
        var root = Switched();
        Assert.Equal("1.0.0", root.RunningVersion(root.VersionFolder("1.0.0") + "/"));
        Assert.Equal("2.0.0", root.RunningVersion(root.Current + "/"));
        Assert.Null(root.RunningVersion(_dir + "/"));
        Assert.Null(new InstallRoot(Path.Combine(_dir, "other")).RunningVersion(root.VersionFolder("1.0.0")));
    }

    [Fact]
    public void ASwitchPointedElsewhereByHand_IsNotGuarded()
    {
        var root = Switched();
        root.Point("1.0.0");

        Assert.Equal((StartGuardOutcome.Nothing, null), root.GuardStart());
        Assert.Equal("1.0.0", root.CurrentVersion);
        Assert.Null(root.ConfirmStarted("1.0.0"));
    }

    /// <summary>Two versions installed, switched from the first to the second as a deploy's monitor does it: note and previous link first, then current.</summary>
    private InstallRoot Switched()
    {
        var root = new InstallRoot(Path.Combine(_dir, "root"));
        root.Install(Build("old"), "1.0.0");
        root.Install(Build("new"), "2.0.0");
        root.Point("1.0.0");
        Assert.Equal((StartGuardOutcome.Nothing, null), root.GuardStart());
        root.BeginSwitch("1.0.0", "2.0.0");
        root.Point("2.0.0");
        return root;
    }

    private string Build(string name)
    {
        var folder = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.Combine(folder, "runtimes", "linux-x64"));
        File.WriteAllText(Path.Combine(folder, "heavyjobs.dll"), "not really an assembly");
        File.WriteAllText(Path.Combine(folder, "VERSION"), "2");
        File.WriteAllText(Path.Combine(folder, "runtimes", "linux-x64", "native.so"), "native");
        return folder;
    }

    private static List<(string Path, string Content)> Tree(string folder) =>
        [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => (Path.GetRelativePath(folder, f), File.ReadAllText(f)))
            .OrderBy(x => x.Item1, StringComparer.Ordinal)];
}
