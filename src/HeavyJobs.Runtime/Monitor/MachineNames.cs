namespace HeavyJobs.Runtime.Monitor;

/// <summary>What a machine name may be: it names a lock, a row, and a file beside a SQLite database.</summary>
public static class MachineNames
{
    public const string Rule = "must be 1 to 63 letters, digits, '-', '_' or '.'";

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 63 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

/// <summary>Another live monitor holds the machine's name.</summary>
public sealed class MachineNameTakenException(string message) : Exception(message);
