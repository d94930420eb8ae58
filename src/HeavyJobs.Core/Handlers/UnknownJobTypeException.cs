namespace HeavyJobs.Core.Handlers;

public sealed class UnknownJobTypeException : Exception
{
    public UnknownJobTypeException(string type, IEnumerable<string> known)
        : base($"Unknown job type '{type}'. Known types: {string.Join(", ", known)}.") => Type = type;

    public UnknownJobTypeException()
    {
    }

    public UnknownJobTypeException(string message)
        : base(message)
    {
    }

    public UnknownJobTypeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string Type { get; } = "";
}
