using System.Globalization;
using HeavyJobs.Core.Handlers;

namespace HelloHeavyJobs;

/// <summary>
/// Counts the words of one line of text: each word is an output (committed with the checkpoint that covers it),
/// and the chunk's good counter ends as the line's number of words. The cursor is the index of the next word, so
/// a worker killed mid-line resumes where its last checkpoint left off and no word is counted twice.
/// </summary>
public sealed class WordCountHandler : IChunkHandler
{
    public const string Type = "hello.wordcount";

    /// <summary>Words between two checkpoints.</summary>
    public const int CheckpointEvery = 5;

    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var words = (context.Input.GetString() ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var next = context.Cursor is { } cursor ? int.Parse(cursor, CultureInfo.InvariantCulture) : 0;
        while (next < words.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            context.Output(next.ToString(CultureInfo.InvariantCulture), words[next].ToLowerInvariant());
            context.Add(1, good: 1);
            next++;
            if (next % CheckpointEvery == 0)
            {
                await context.CheckpointAsync(next.ToString(CultureInfo.InvariantCulture), cancellationToken);
            }
        }
    }
}
