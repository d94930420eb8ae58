namespace HeavyJobs.Storage.Faults;

/// <summary>How a database error is told to a person.</summary>
public static class StoreErrorText
{
    /// <summary>
    /// The error's message and those of its causes, "Failed to connect to 127.0.0.1:5432: Connection refused": a
    /// driver's own message often says what failed, and only its cause says why.
    /// </summary>
    public static string WithCauses(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var text = exception.Message;
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!text.Contains(inner.Message, StringComparison.Ordinal))
            {
                text += ": " + inner.Message;
            }
        }

        return text;
    }
}
