using System.Globalization;
using Microsoft.Extensions.Options;

namespace HeavyJobs.Runtime.Hosting;

/// <summary>Collects what is wrong with one options section, each failure naming the option by its configuration key.</summary>
internal sealed class OptionChecks(string section)
{
    private readonly List<string> _failures = [];

    public OptionChecks Positive(string name, TimeSpan value) => Check(value > TimeSpan.Zero, name, value, "must be positive");

    public OptionChecks NotNegative(string name, TimeSpan value) => Check(value >= TimeSpan.Zero, name, value, "must not be negative");

    public OptionChecks AtLeast(string name, long value, long least) => Check(value >= least, name, value, $"must be at least {least}");

    public OptionChecks NotEmpty(string name, string? value) => Check(!string.IsNullOrWhiteSpace(value), name, value ?? "", "must be set");

    public OptionChecks Rule(bool holds, string message)
    {
        if (!holds)
        {
            _failures.Add(message);
        }

        return this;
    }

    public string Key(string name) => $"{section}:{name}";

    public ValidateOptionsResult Result() => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);

    private OptionChecks Check(bool holds, string name, object value, string rule) =>
        Rule(holds, string.Create(CultureInfo.InvariantCulture, $"{Key(name)} {rule} (got {value})"));
}
