using System.Globalization;

namespace HeavyJobs.Core.Definitions;

/// <summary>Durations as operators write them: a whole number and a unit, as in 90s, 30m, 12h or 7d.</summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length < 2
            || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return false;
        }

        TimeSpan? parsed = char.ToLowerInvariant(text[^1]) switch
        {
            's' when n <= 100L * 365 * 86400 => TimeSpan.FromSeconds(n),
            'm' when n <= 100L * 365 * 1440 => TimeSpan.FromMinutes(n),
            'h' when n <= 100L * 365 * 24 => TimeSpan.FromHours(n),
            'd' when n <= 100L * 365 => TimeSpan.FromDays(n),
            _ => null,
        };
        value = parsed.GetValueOrDefault();
        return parsed is not null;
    }

    public static string Format(TimeSpan value) =>
        value.TotalDays >= 1 && value.Ticks % TimeSpan.TicksPerDay == 0 ? $"{value.TotalDays:0}d"
        : value.TotalHours >= 1 && value.Ticks % TimeSpan.TicksPerHour == 0 ? $"{value.TotalHours:0}h"
        : value.TotalMinutes >= 1 && value.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{value.TotalMinutes:0}m"
        : $"{value.TotalSeconds:0}s";
}
