using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ScottPlot;

namespace HeavyJobs.Bench;

/// <summary>The run as a markdown table (targets first, then every figure) and a bar chart.</summary>
internal static class Report
{
    public static string Markdown(Results results, JsonObject header)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# HeavyJobs benchmark: {header["mode"]} run of {header["date"]}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {header["machine"]}. Load average before/after: {header["load_before"]} / {header["load_after"]}. Took {header["duration_s"]} s.");
        md.AppendLine("Written by `./bench.sh`; `docs/performance.md` explains the method and the figures.");
        md.AppendLine();
        md.AppendLine("| target | goal | measured | verdict |");
        md.AppendLine("|---|---|---|---|");
        foreach (var t in Targets.All)
        {
            var value = results.Get(t.Key);
            var verdict = value is null ? "not measured" : t.Met(value.Value) ? "met" : "**missed**";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {t.Label} (`{t.Key}`) | {t.Goal} | {Format(value)} | {verdict} |");
        }

        md.AppendLine();
        md.AppendLine("## Every figure");
        md.AppendLine();
        md.AppendLine("| key | value | how |");
        md.AppendLine("|---|---|---|");
        foreach (var (key, value) in results.Figures)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| `{key}` | {Format(value)} | {results.How(key)} |");
        }

        if (results.Notes.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Notes");
            md.AppendLine();
            foreach (var note in results.Notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }
        }

        return md.ToString();
    }

    /// <summary>Drain rates side by side, on a log scale: HeavyJobs, the bare SQL ceilings, Hangfire and pgbench.</summary>
    public static void Chart(Results results, string path)
    {
        (string Label, string Key, Color Color)[] series =
        [
            ("HeavyJobs\nPostgreSQL", "pg.burndown.chunks_per_s", Colors.SteelBlue),
            ("bare SQL\nPostgreSQL", "ceiling_pg.chunks_per_s", Colors.LightSteelBlue),
            ("pgbench -N\n(tx/s)", "pgbench.tps", Colors.Gray),
            ("Hangfire\nPostgreSql", "hangfire_pg.burndown.jobs_per_s", Colors.IndianRed),
            ("HeavyJobs\nSQLite", "sqlite.burndown.chunks_per_s", Colors.SeaGreen),
            ("bare SQL\nSQLite", "ceiling_sqlite.chunks_per_s", Colors.DarkSeaGreen),
            ("Hangfire\nin memory", "hangfire_memory.burndown.jobs_per_s", Colors.LightCoral),
        ];
        var plot = new Plot();
        var bars = new List<Bar>();
        var positions = new List<double>();
        var labels = new List<string>();
        foreach (var (label, key, color) in series)
        {
            if (results.Get(key) is not { } value || value <= 0)
            {
                continue;
            }

            var position = positions.Count + 1;
            bars.Add(new Bar
            {
                Position = position,
                Value = Math.Log10(value),
                FillColor = color,
                Label = value.ToString("N0", CultureInfo.InvariantCulture),
            });
            positions.Add(position);
            labels.Add(label);
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 14;
        plot.Axes.Bottom.SetTicks([.. positions], [.. labels]);
        plot.Axes.Left.SetTicks([1, 2, 3, 4, 5, 6], ["10", "100", "1k", "10k", "100k", "1M"]);
        plot.Axes.SetLimitsY(0, 6.2);
        plot.Title("No-op chunks (jobs) drained per second, log scale: same machine, same run");
        plot.YLabel("per second");
        plot.SavePng(path, 1200, 650);
    }

    private static string Format(double? value) => value switch
    {
        null => "–",
        >= 1000 => value.Value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.Value.ToString("0.#", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
