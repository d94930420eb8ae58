namespace HeavyJobs.Cli.Tests;

/// <summary>A nuget.config whose only package source is the local feed test.sh packs into.</summary>
internal static class FeedConfig
{
    /// <param name="fallback">A package folder to read already-downloaded packages from, read-only; null for none.</param>
    public static Task WriteAsync(string path, string feed, string? fallback, CancellationToken ct)
    {
        var fallbackFolders = fallback is null
            ? ""
            : $"""
                 <fallbackPackageFolders>
                   <clear />
                   <add key="downloaded" value="{fallback}" />
                 </fallbackPackageFolders>
               """;
        return File.WriteAllTextAsync(
            path,
            $"""
             <?xml version="1.0" encoding="utf-8"?>
             <configuration>
               <packageSources>
                 <clear />
                 <add key="heavyjobs-local" value="{Path.GetFullPath(feed)}" />
               </packageSources>
             {fallbackFolders}
             </configuration>
             """,
            ct);
    }
}
