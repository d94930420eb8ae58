using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Jobs;

namespace HeavyJobs.Runtime.Jobs;

/// <summary>Validates a job against the registered handlers, splits it and stores it with its chunks.</summary>
public static class JobSubmitter
{
    public static async Task<JobInserted> SubmitFileAsync(IHeavyStore store, HandlerRegistry registry, string path, TimeProvider time, CancellationToken cancellationToken)
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

    public static async Task<JobInserted> SubmitAsync(
        IHeavyStore store,
        HandlerRegistry registry,
        JobDefinition definition,
        string source,
        string baseDirectory,
        TimeProvider time,
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

        IEnumerable<string> inputs;
        try
        {
            inputs = ChunkSplitter.Inputs(definition.Split, baseDirectory);
            // Read the first input now so a missing file is reported against the job file, not halfway through.
            if (!inputs.Any())
            {
                throw new JobDefinitionException(source, "split", "gives no chunks (is the input empty?)");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new JobDefinitionException(source, "split", $"input cannot be read: {ex.Message}");
        }

        return await store.JobInsertAsync(
            new JobInsertParams(
                definition.Name,
                definition.Stages,
                definition.Parameters.GetRawText(),
                inputs,
                definition.Priority,
                definition.MaxAttempts,
                time.GetUtcNow()),
            cancellationToken);
    }
}
