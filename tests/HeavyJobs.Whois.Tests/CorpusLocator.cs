namespace HeavyJobs.Whois.Tests;

/// <summary>
/// Finds the WHOIS corpus: <c>HEAVYJOBS_WHOIS_CORPUS</c> if set, else the first <c>shared/data/whois-corpus</c>
/// found walking up from the test binaries, so a clone works wherever it sits as long as <c>shared/</c> is beside it.
/// </summary>
internal static class CorpusLocator
{
    public const string EnvironmentVariable = "HEAVYJOBS_WHOIS_CORPUS";

    private static readonly string[] _relativePath = ["shared", "data", "whois-corpus"];

    public static string Find()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Directory.Exists(configured)
                ? Path.GetFullPath(configured)
                : throw new DirectoryNotFoundException(
                    $"{EnvironmentVariable} is set to '{configured}', but that folder does not exist.");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine([directory.FullName, .. _relativePath]);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        // Failing loudly rather than skipping: a silently skipped corpus test would hide every parser regression.
        throw new DirectoryNotFoundException(
            $"WHOIS corpus not found: no '{Path.Combine(_relativePath)}' in '{AppContext.BaseDirectory}' or any folder above it. "
            + $"Put the 'shared' folder beside the repository or set {EnvironmentVariable} to the corpus folder.");
    }
}
