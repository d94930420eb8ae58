using HeavyJobs.Core.Definitions;

namespace HeavyJobs.Core.Tests.Definitions;

/// <summary>
/// Bad input at the job-file door: each hostile file below must get a <see cref="JobDefinitionException"/> naming
/// the file, the field (empty for the file as a whole) and what is wrong; never another exception, a hang or a
/// crash of the process.
/// </summary>
public sealed class HostileJobFileTests
{
    public static TheoryData<string, bool, string, string> Files => new()
    {
        // Wrong types.
        { "name: x\ntype: t\nsplit:\n  range: { start: zero, end: 10, size: 5 }", true, "split.range.start", "must be a whole number (got the text \"zero\")" },
        { "{\"name\":[1],\"type\":\"t\",\"split\":{\"inputs\":[1]}}", false, "name", "must be a string (got a list)" },
        { "{\"name\":\"x\",\"type\":\"t\",\"split\":{\"inputs\":[1]},\"priority\":\"high\"}", false, "priority", "must be a whole number" },
        { "{\"name\":\"x\",\"type\":\"t\",\"split\":{\"inputs\":{}}}", false, "split.inputs", "must be a list (got an object)" },
        { "[1, 2, 3]", false, "", "must be an object (got a list)" },
        // Huge numbers.
        { "{\"name\":\"x\",\"type\":\"t\",\"split\":{\"range\":{\"start\":0,\"end\":1e400,\"size\":1}}}", false, "split.range.end", "must be a whole number" },
        { "{\"name\":\"x\",\"type\":\"t\",\"split\":{\"range\":{\"start\":0,\"end\":99999999999999999999999,\"size\":1}}}", false, "split.range.end", "must be a whole number" },
        { "name: x\ntype: t\nmaxAttempts: 9223372036854775807\nsplit:\n  inputs: [1]", true, "maxAttempts", "must be between 1 and 100" },
        // A billion chunks asked for, and the widest range whose count overflows a long.
        { "name: x\ntype: t\nsplit:\n  range: { start: 0, end: 1_000_000_000, size: 1 }", true, "split.range", "would make 1,000,000,000 chunks, more than the 10,000,000 allowed" },
        { "name: x\ntype: t\nsplit:\n  range: { start: -9223372036854775808, end: 9223372036854775807, size: 1 }", true, "split.range", "more than the 10,000,000 allowed" },
        { "name: x\ntype: t\nsplit:\n  staleKeys: { set: d, olderThan: 1d, size: 1, limit: 100000000 }", true, "split.staleKeys", "would make 100,000,000 chunks" },
        // Deep nesting, in both formats.
        { "{\"name\":\"x\",\"type\":\"t\",\"split\":{\"inputs\":[1]},\"parameters\":{\"a\":" + new string('[', 5000) + new string(']', 5000) + "}}", false, "", "not valid JSON" },
        { "name: x\ntype: t\nsplit: { inputs: [1] }\nparameters: { a: " + new string('[', 100_000) + new string(']', 100_000) + " }", true, "", "nested more than 64 levels deep" },
        // An exponential expansion through aliases (a "billion laughs").
        { "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nname: x\ntype: t\nsplit: { inputs: [1] }", true, "", "YAML aliases (*a) are not supported" },
        // Numbers JSON cannot hold, as parameters.
        { "name: x\ntype: t\nsplit: { inputs: [1] }\nparameters: { a: .inf, b: NaN, c: 1e999 }\npriority: NaN", true, "priority", "must be a whole number (got the text \"NaN\")" },
        // Garbage, and half a file.
        { "\u0000\u0001\u0002 binary \uFFFD garbage {{{", false, "", "not valid JSON" },
        { "\u0000\u0001\u0002 binary \uFFFD garbage: [[[", true, "", "not valid YAML" },
        { "{\"name\":\"x\",\"type\":\"t\",\"spl", false, "", "not valid JSON" },
        { "name: x\ntype: t\nname: y\nsplit: { inputs: [1] }", true, "", "the key 'name' is given twice" },
        { "", true, "", "expected one YAML document, found 0" },
        // Unknown fields and split kinds.
        { "{\"name\":\"x\",\"type\":\"t\",\"split\":{\"inputs\":[1]},\"command\":\"rm -rf /\"}", false, "command", "unknown field" },
        { "name: x\ntype: t\nsplit:\n  shell: { cmd: ls }", true, "split.shell", "unknown split kind" },
        { "name: x\ntype: \"../../etc/passwd\"\nsplit: { inputs: [1] }", true, "type", "is not a valid type key" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void AHostileJobFile_GetsAClearErrorNamingTheFieldAndTheProblem(string text, bool yaml, string field, string problem)
    {
        var ex = Assert.Throws<JobDefinitionException>(() => JobDefinitionParser.Parse(text, "hostile.job", yaml));
        Assert.Equal("hostile.job", ex.Source);
        Assert.Equal(field, ex.Field);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NumbersWithoutAJsonForm_StayText_InParameters()
    {
        var job = JobDefinitionParser.Parse("name: x\ntype: t\nsplit: { inputs: [1] }\nparameters: { a: .inf, b: NaN, c: 1e999, d: 1.5 }", "p.yaml", yaml: true);
        Assert.Equal("""{"a":".inf","b":"NaN","c":"1e999","d":1.5}""", job.Parameters.GetRawText());
    }
}
