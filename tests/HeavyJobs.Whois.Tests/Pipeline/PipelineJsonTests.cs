using System.Text.Json;
using HeavyJobs.Whois.Pipeline;

namespace HeavyJobs.Whois.Tests.Pipeline;

/// <summary>
/// What the pilot's stages store is read back by the next stage and by the dashboard, also from refreshes run
/// before a deploy: its exact text is the contract, whatever writes it.
/// </summary>
public sealed class PipelineJsonTests
{
    [Fact]
    public void A_fetched_answer_keeps_its_members_in_camel_case_with_nulls_written()
    {
        var answer = new FetchedAnswerOutput("example.com", "whois.example", "whois.registry.example",
            new DateTimeOffset(2026, 12, 5, 10, 11, 12, TimeSpan.Zero), "H4sI", null);

        Assert.Equal(
            """{"domain":"example.com","server":"whois.example","registry":"whois.registry.example","fetchedAt":"2026-12-05T10:11:12+00:00","raw":"H4sI","referralError":null}""",
            JsonSerializer.Serialize(answer, PipelineJsonContext.Default.FetchedAnswerOutput));
    }

    [Fact]
    public void A_failure_a_parse_input_and_a_never_fetched_key_keep_their_shape()
    {
        Assert.Equal("""{"domain":"example.com","error":"fetch failed: Connection: refused \u0027x\u0027"}""",
            JsonSerializer.Serialize(new FetchFailureOutput("example.com", "fetch failed: Connection: refused 'x'"), PipelineJsonContext.Default.FetchFailureOutput));
        Assert.Equal("""{"fetchChunk":42,"domains":["a.example","b.example"]}""",
            JsonSerializer.Serialize(new ParseChunkInput(42, ["a.example", "b.example"]), PipelineJsonContext.Default.ParseChunkInput));
        Assert.Equal("""{"domain":"example.com","status":"never-fetched"}""",
            JsonSerializer.Serialize(new NeverFetchedResult("example.com", "never-fetched"), PipelineJsonContext.Default.NeverFetchedResult));
    }
}
