using HeavyJobs.Bench;
using HeavyJobs.Bench.Modes;

// heavyjobs-bench run [--quick|--full]   every scenario and baseline, results under bench/results/
// The other modes are the child processes the run starts: workers, bare SQL loops, Hangfire, plain loops.
return args.FirstOrDefault() switch
{
    "run" => await Harness.RunAsync(args[1..]),
    "worker" => await WorkerMode.RunAsync(Args.Parse(args[1..])),
    "ceiling" => await CeilingMode.RunAsync(Args.Parse(args[1..])),
    "hangfire" => await HangfireMode.RunAsync(Args.Parse(args[1..])),
    "plain" => PlainMode.Run(Args.Parse(args[1..])),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: heavyjobs-bench run [--quick|--full] [--out DIR] [--only a,b]   (see bench/README.md)");
    return 2;
}
