using Microsoft.Extensions.Logging;

namespace HeavyJobs.Testing;

/// <summary>A line a handler logged, with the run of the chunk it was logged in (1 for the first).</summary>
public sealed record TestLogEntry(int Run, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>Keeps every line a handler logs; thread-safe, every level enabled.</summary>
internal sealed class CapturingLogger(List<TestLogEntry> entries, Lock gate, int run) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var entry = new TestLogEntry(run, logLevel, eventId, formatter(state, exception), exception);
        lock (gate)
        {
            entries.Add(entry);
        }
    }
}
