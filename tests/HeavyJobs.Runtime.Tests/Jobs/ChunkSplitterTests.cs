using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Runtime.Jobs;

namespace HeavyJobs.Runtime.Tests.Jobs;

/// <summary>
/// The chunk inputs a split writes are what handlers read back, in jobs submitted before and after any change: their
/// exact text is the contract (written by generated code, so that a trimmed build writes the same).
/// </summary>
public sealed class ChunkSplitterTests
{
    [Fact]
    public void Key_groups_are_written_as_a_keys_array_escaped_as_always()
    {
        var inputs = ChunkSplitter.Inputs(new ChunkSplit.Keys(["a.example", "b.example", "<c>"], 2), ".").ToList();

        Assert.Equal(["""{"keys":["a.example","b.example"]}""", """{"keys":["\u003Cc\u003E"]}"""], inputs);
    }

    [Fact]
    public void File_slices_name_the_path_offset_and_length_and_end_after_a_newline()
    {
        var path = Path.Combine(Path.GetTempPath(), $"heavyjobs-slices-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "one\ntwo\nthree\n");
        try
        {
            var inputs = ChunkSplitter.Inputs(new ChunkSplit.FileSlices(path, 5), ".").ToList();

            var escaped = JsonEncodedText.Encode(path).ToString();
            Assert.Equal(
                [
                    $$"""{"path":"{{escaped}}","offset":0,"length":8}""",
                    $$"""{"path":"{{escaped}}","offset":8,"length":6}""",
                ],
                inputs);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
