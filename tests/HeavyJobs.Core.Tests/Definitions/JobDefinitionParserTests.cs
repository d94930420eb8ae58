using HeavyJobs.Core.Definitions;

namespace HeavyJobs.Core.Tests.Definitions;

public sealed class JobDefinitionParserTests
{
    [Fact]
    public void Parse_Yaml_SingleStageRange()
    {
        var job = JobDefinitionParser.Parse(
            """
            name: primes
            type: demo.primes
            priority: 3
            parameters:
              segment: 1000
            split:
              range: { start: 0, end: 1_000_000, size: 10000 }
            """,
            "jobs/primes.yaml",
            yaml: true);

        Assert.Equal("primes", job.Name);
        Assert.Equal("demo.primes", Assert.Single(job.Stages).Type);
        Assert.Equal(3, job.Priority);
        Assert.Equal(1000, job.Parameters.GetProperty("segment").GetInt64());
        Assert.Equal(new ChunkSplit.Range(0, 1_000_000, 10_000), job.Split);
    }

    [Fact]
    public void Parse_Json_PipelineWithKeys()
    {
        var job = JobDefinitionParser.Parse(
            """
            {
              "name": "whois refresh",
              "stages": [
                { "name": "fetch", "type": "whois.fetch" },
                { "name": "parse", "type": "whois.parse" },
                { "name": "aggregate", "type": "whois.aggregate", "mode": "barrier" }
              ],
              "split": { "keys": { "items": ["a.com", "b.net", "c.org"], "size": 2 } }
            }
            """,
            "jobs/whois.json",
            yaml: false);

        Assert.Equal(["fetch", "parse", "aggregate"], job.Stages.Select(s => s.Name));
        Assert.Equal(StageMode.Barrier, job.Stages[2].Mode);
        var keys = Assert.IsType<ChunkSplit.Keys>(job.Split);
        Assert.Equal(2, keys.Size);
    }

    [Theory]
    [InlineData("name: x\ntype: t\nsplit:\n  range: { start: 0, end: 10, size: -5 }", "split.range.size", "must be between 1 and")]
    [InlineData("name: x\ntype: t\nsplit:\n  range: { start: 10, end: 10, size: 5 }", "split.range.end", "must be greater than start")]
    [InlineData("type: t\nsplit:\n  range: { start: 0, end: 10, size: 5 }", "name", "is required")]
    [InlineData("name: x\nsplit:\n  range: { start: 0, end: 10, size: 5 }", "type", "either 'type'")]
    [InlineData("name: x\ntype: t\nsplit:\n  rnage: { start: 0 }", "split.rnage", "unknown split kind")]
    [InlineData("name: x\ntype: t\nsplt: {}", "splt", "unknown field")]
    [InlineData("name: x\ntype: t\nsplit:\n  range: { start: 0, end: 10, size: \"5\" }", "split.range.size", "must be a whole number (got the text \"5\")")]
    [InlineData("name: x\ntype: 'bad type!'\nsplit:\n  inputs: [1]", "type", "not a valid type key")]
    [InlineData("name: x\ntype: t\nsplit:\n  range: { start: 0, end: 100000000000, size: 1 }", "split.range", "more than the")]
    [InlineData("name: x\nstages: [{ name: a, type: t, mode: later }]\nsplit:\n  inputs: [1]", "stages[0].mode", "'streaming' or 'barrier'")]
    public void Parse_Malformed_NamesFileFieldAndProblem(string yaml, string field, string problem)
    {
        var ex = Assert.Throws<JobDefinitionException>(() => JobDefinitionParser.Parse(yaml, "jobs/bad.yaml", yaml: true));

        Assert.Equal("jobs/bad.yaml", ex.Source);
        Assert.Equal(field, ex.Field);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"jobs/bad.yaml: {field}: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BrokenYaml_SaysWhere()
    {
        var unclosed = Assert.Throws<JobDefinitionException>(() => JobDefinitionParser.Parse("name: [unclosed\ntype: t", "j.yaml", yaml: true));
        var badIndent = Assert.Throws<JobDefinitionException>(() => JobDefinitionParser.Parse("name: x\n  type: t\n bad: [", "j.yaml", yaml: true));

        Assert.StartsWith("j.yaml: (document): not valid YAML", unclosed.Message, StringComparison.Ordinal);
        Assert.StartsWith("j.yaml: (document): not valid YAML at line", badIndent.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BrokenJson_SaysWhere()
    {
        var ex = Assert.Throws<JobDefinitionException>(() => JobDefinitionParser.Parse("{\n\"name\": }", "j.json", yaml: false));

        Assert.Contains("not valid JSON at line 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseFile_UnknownExtension_IsRefused()
    {
        var ex = Assert.Throws<JobDefinitionException>(() => JobDefinitionParser.ParseFile("job.toml", "x"));

        Assert.Contains("use .json, .yaml or .yml", ex.Message, StringComparison.Ordinal);
    }
}
