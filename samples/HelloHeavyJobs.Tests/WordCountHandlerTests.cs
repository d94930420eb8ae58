using System.Text.Json;
using HeavyJobs.Testing;
using HelloHeavyJobs;
using Xunit;

namespace HelloHeavyJobs.Tests;

public sealed class WordCountHandlerTests
{
    private const string Line = "one two three four five six seven eight nine ten eleven twelve";

    [Fact]
    public async Task CountsEveryWord_OnceEach()
    {
        var result = await HandlerHarness.For<WordCountHandler>().WithInput(JsonSerializer.Serialize(Line)).RunAsync(TestContext.Current.CancellationToken);

        Assert.True(result.Completed);
        Assert.Equal(12, result.Counters.Good);
        Assert.Equal(Line.Split(' '), result.Outputs.Select(o => o.Data));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task KilledAtRandom_ResumesFromItsCheckpoint_AndCountsNoWordTwice(int seed)
    {
        var result = await HandlerHarness.For<WordCountHandler>().WithInput(JsonSerializer.Serialize(Line)).KillAtRandom(seed, kills: 3, chance: 0.5).RunAsync(TestContext.Current.CancellationToken);

        Assert.True(result.Completed);
        Assert.Equal(12, result.Counters.Good);
        Assert.Equal(Line.Split(' '), result.Outputs.Select(o => o.Data));
    }
}
