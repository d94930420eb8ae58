namespace HeavyJobs.Core.Definitions;

/// <summary>A job definition that cannot be accepted; the message names the file, the field and what is wrong.</summary>
public sealed class JobDefinitionException : Exception
{
    public JobDefinitionException(string source, string field, string problem)
        : base($"{source}: {(field.Length == 0 ? "(document)" : field)}: {problem}")
    {
        Source = source;
        Field = field;
        Problem = problem;
    }

    public JobDefinitionException()
    {
    }

    public JobDefinitionException(string message)
        : base(message)
    {
    }

    public JobDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public new string Source { get; } = "";

    public string Field { get; } = "";

    public string Problem { get; } = "";
}
