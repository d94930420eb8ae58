using System.Globalization;
using HeavyJobs.TestSupport;
using HeavyJobs.TestSupport.Chaos;

// chaos --store sqlite|postgres --duration SECONDS --kills N --seed N [--db-restarts N] [--finish-within SECONDS]
var options = new ChaosOptions { Log = Console.WriteLine };
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : "";
    options = args[i] switch
    {
        "--store" => options with { Store = value },
        "--duration" => options with { Duration = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
        "--kills" => options with { Kills = int.Parse(value, CultureInfo.InvariantCulture) },
        "--seed" => options with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
        "--db-restarts" => options with { DatabaseRestarts = int.Parse(value, CultureInfo.InvariantCulture) },
        "--finish-within" => options with { FinishWithin = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
        _ => throw new ArgumentException($"unknown option {args[i]} (--store, --duration, --kills, --seed, --db-restarts, --finish-within)"),
    };
    i++;
}

if (options.Store is not ("sqlite" or "postgres"))
{
    await Console.Error.WriteLineAsync($"--store must be sqlite or postgres, not '{options.Store}'");
    return 2;
}

if (options.Store == "postgres")
{
    options = options with { Postgres = await PrivateCluster.Chaos.EnsureAsync(CancellationToken.None), RestartDatabase = PrivateCluster.Chaos.RestartAsync };
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
var report = await ChaosRun.RunAsync(options, stop.Token);
Console.WriteLine(report.LogTail);
Console.Write(report.Format());
return report.Passed ? 0 : 1;
