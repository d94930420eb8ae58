using System.IO.Compression;
using System.Runtime.InteropServices;

namespace HeavyJobs.Runtime.Fleet;

/// <summary>
/// Where a machine keeps its HeavyJobs builds: <c>versions/&lt;version&gt;/</c> side by side, and <c>current</c>, a
/// symbolic link to the one its units start. Switching versions (a deploy, a rollback) moves only the link, in one
/// rename, so a unit that starts at any moment finds one whole build or the other.
/// </summary>
public sealed partial class InstallRoot(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string Current => System.IO.Path.Combine(Path, "current");

    public string VersionFolder(string version) => System.IO.Path.Combine(Path, "versions", Checked(version));

    /// <summary>The version <see cref="Current"/> points at, or null when there is no link yet.</summary>
    public string? CurrentVersion =>
        new FileInfo(Current).LinkTarget is { } target ? System.IO.Path.GetFileName(target.TrimEnd('/')) : null;

    /// <summary>
    /// The root the running build was started from: <paramref name="configured"/> when given, else the folder two
    /// levels above a build in <c>&lt;root&gt;/versions/&lt;v&gt;/</c> or one above <c>&lt;root&gt;/current/</c>; null when
    /// this build was not started from an install root (a build folder, <c>dotnet run</c>).
    /// </summary>
    public static InstallRoot? OfRunningBuild(string? configured)
    {
        if (configured is { Length: > 0 })
        {
            return new InstallRoot(configured);
        }

        var folder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        return folder switch
        {
            { Parent.Name: "versions", Parent.Parent: { } root } => new InstallRoot(root.FullName),
            { Name: "current", Parent: { } root } => new InstallRoot(root.FullName),
            _ => null,
        };
    }

    /// <summary>
    /// <paramref name="command"/> with each path inside <c>&lt;root&gt;/versions/&lt;v&gt;/</c> made to go through
    /// <c>&lt;root&gt;/current/</c> when that link exists: what a unit should start, so that a deploy's switch moves it.
    /// </summary>
    public static IReadOnlyList<string> ThroughCurrent(IReadOnlyList<string> command) =>
        command.Select(part =>
            new FileInfo(part) is { Directory: { Parent: { Name: "versions", Parent: { } root } } } file
            && new FileInfo(System.IO.Path.Combine(root.FullName, "current")).LinkTarget is not null
                ? System.IO.Path.Combine(root.FullName, "current", file.Name)
                : part).ToList();

    /// <summary>
    /// Installs the build at <paramref name="source"/> (a build folder, or a .zip or .nupkg package of one) as
    /// <paramref name="version"/>, unless that version is installed already; returns its folder. The copy is made
    /// under a temporary name and renamed into place, so a half-copied build is never taken for an installed one.
    /// </summary>
    public string Install(string source, string version)
    {
        var folder = VersionFolder(version);
        if (Directory.Exists(folder))
        {
            return folder;
        }

        Directory.CreateDirectory(System.IO.Path.Combine(Path, "versions"));
        var partial = System.IO.Path.Combine(Path, "versions", $".{version}.partial-{Environment.ProcessId}");
        if (Directory.Exists(partial))
        {
            Directory.Delete(partial, recursive: true);
        }

        if (File.Exists(source))
        {
            var unpacked = partial + ".unpacked";
            try
            {
                // Refuses an entry that would land outside the folder (IOException), so a package cannot write elsewhere.
                ZipFile.ExtractToDirectory(source, unpacked, overwriteFiles: true);
                // A .NET tool package keeps the build in tools/<framework>/any/.
                var build = Directory.Exists(System.IO.Path.Combine(unpacked, "tools"))
                    ? Directory.GetDirectories(System.IO.Path.Combine(unpacked, "tools")).Select(f => System.IO.Path.Combine(f, "any")).FirstOrDefault(Directory.Exists) ?? unpacked
                    : unpacked;
                CopyFolder(build, partial);
            }
            finally
            {
                if (Directory.Exists(unpacked))
                {
                    Directory.Delete(unpacked, recursive: true);
                }
            }
        }
        else if (Directory.Exists(source))
        {
            CopyFolder(source, partial);
        }
        else
        {
            throw new DirectoryNotFoundException($"no build at '{source}' on this machine (a build folder, .zip or .nupkg every machine can read)");
        }

        Directory.Move(partial, folder);
        return folder;
    }

    /// <summary>Points <see cref="Current"/> at an installed version, in one rename over the old link.</summary>
    public void Point(string version) => PointLink(Current, version);

    private void PointLink(string path, string version)
    {
        if (!Directory.Exists(VersionFolder(version)))
        {
            throw new DirectoryNotFoundException($"version {version} is not installed in {Path}");
        }

        var link = System.IO.Path.Combine(Path, $".{System.IO.Path.GetFileName(path)}.{Environment.ProcessId}");
        if (File.Exists(link) || Directory.Exists(link))
        {
            File.Delete(link);
        }

        File.CreateSymbolicLink(link, System.IO.Path.Combine("versions", version));
        // rename(2) itself: it replaces the old link whole, where a move that sees a folder behind it would refuse.
        if (Rename(link, path) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            File.Delete(link);
            throw new IOException($"could not point {path} at versions/{version} (errno {errno})");
        }
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string from, [MarshalAs(UnmanagedType.LPUTF8Str)] string to);

    private static string Checked(string version) =>
        version.Length > 0 && version.IndexOfAny(['/', '\\', '\0']) < 0 && version is not ("." or "..") && !version.StartsWith('.')
            ? version
            : throw new ArgumentException($"'{version}' cannot name a version folder", nameof(version));

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(System.IO.Path.Combine(to, System.IO.Path.GetRelativePath(from, dir)));
        }

        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetRelativePath(from, file)), overwrite: true);
        }
    }
}
