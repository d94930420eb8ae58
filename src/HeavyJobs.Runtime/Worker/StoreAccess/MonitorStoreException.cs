namespace HeavyJobs.Runtime.Worker.StoreAccess;

/// <summary>A store call the monitor could not make (the store failed, or the monitor is gone), as the store's own exception would be.</summary>
public sealed class MonitorStoreException(string? op, string message)
    : Exception(op is null ? $"store call through the monitor failed: {message}" : $"store call {op} through the monitor failed: {message}");
