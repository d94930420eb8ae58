using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.KeySets;

namespace HeavyJobs.Runtime.Jobs;

/// <summary>Validates a job against the registered handlers, splits it and stores it with its chunks.</summary>
public static class JobSubmitter
{
    public static async Task<JobInserted> SubmitFileAsync(IOperatorStore store, HandlerRegistry registry, string path, TimeProvider time, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new JobDefinitionException(path, "", $"cannot be read: {ex.Message}");
        }

        var definition = JobDefinitionParser.ParseFile(path, text);
        return await SubmitAsync(store, registry, definition, path, Path.GetDirectoryName(Path.GetFullPath(path))!, time, cancellationToken);
    }

    public static Task<JobInserted> SubmitAsync(
        IOperatorStore store,
        HandlerRegistry registry,
        JobDefinition definition,
        string source,
        string baseDirectory,
        TimeProvider time,
        CancellationToken cancellationToken) =>
        SubmitAsync(store, registry, definition, source, baseDirectory, time, fire: null, cancellationToken);

    /// <param name="fire">The schedule run this job is, moved on in the job's own transaction; null for a job submitted by hand.</param>
    public static async Task<JobInserted> SubmitAsync(
        IOperatorStore store,
        HandlerRegistry registry,
        JobDefinition definition,
        string source,
        string baseDirectory,
        TimeProvider time,
        ScheduleFire? fire,
        CancellationToken cancellationToken)
    {
        for (var i = 0; i < definition.Stages.Count; i++)
        {
            var type = definition.Stages[i].Type;
            if (!registry.Contains(type))
            {
                var field = definition.Stages.Count == 1 ? "type" : $"stages[{i}].type";
                throw new JobDefinitionException(source, field, $"unknown job type '{type}'; known types: {string.Join(", ", registry.Types)}");
            }
        }

        IEnumerable<string> inputs = [];
        string? keySet = null;
        StaleKeyChunks? staleChunks = null;
        try
        {
            if (definition.Split is ChunkSplit.StaleKeys stale)
            {
                // The store cuts the chunks itself, in the job's transaction: a refresh of millions of keys would
                // otherwise hold them all in this process (65 MB a million).
                staleChunks = new StaleKeyChunks(new KeySetStaleParams(stale.Set, time.GetUtcNow() - stale.OlderThan, stale.Limit), stale.Size);
                keySet = stale.Set;
            }
            else
            {
                if (ChunkSplitter.MostChunks(definition.Split, baseDirectory) is > JobDefinitionParser.MaxChunks and var most)
                {
                    throw new JobDefinitionException(source, "split", $"would make {most:N0} chunks, more than the {JobDefinitionParser.MaxChunks:N0} allowed in one job: use a larger size");
                }

                inputs = ChunkSplitter.Inputs(definition.Split, baseDirectory);

                // Read the first input now so a missing file is reported against the job file, not halfway through.
                if (!inputs.Any())
                {
                    throw new JobDefinitionException(source, "split", "gives no chunks (is the input empty?)");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new JobDefinitionException(source, "split", $"input cannot be read: {ex.Message}");
        }

        try
        {
            return await store.JobInsertAsync(
                new JobInsertParams(
                    definition.Name,
                    definition.Stages,
                    definition.Parameters.GetRawText(),
                    inputs,
                    definition.Priority,
                    definition.MaxAttempts,
                    time.GetUtcNow(),
                    keySet,
                    fire,
                    staleChunks),
                cancellationToken);
        }
        catch (NoStaleKeysException) when (definition.Split is ChunkSplit.StaleKeys stale)
        {
            throw new NothingToRunException($"{source}: no key of set '{stale.Set}' is unrefreshed or older than {Durations.Format(stale.OlderThan)}; nothing to refresh");
        }
    }
}

/// <summary>A job that would have no chunks because nothing needs doing (a refresh with nothing stale): not an error.</summary>
public sealed class NothingToRunException(string message) : Exception(message);
