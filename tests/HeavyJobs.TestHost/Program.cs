using HeavyJobs.Cli;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Demo;
using HeavyJobs.TestHost;
using HeavyJobs.Whois.Pipeline;

// A worker of type test.boom cannot even start: the crash-loop scenario.
if (args.Contains("--monitored") && args.Contains(TestHandlers.Boom))
{
    await Console.Error.WriteLineAsync("boom: this worker type fails at start on purpose");
    return 3;
}

// A build stamped with this file (a deploy test's broken release) starts its monitor, but none of its workers.
if (args.Contains("--monitored") && File.Exists(Path.Combine(AppContext.BaseDirectory, TestHandlers.FailWorkersFile)))
{
    await Console.Error.WriteLineAsync("this build's workers fail at start on purpose");
    return 3;
}

if (args.Length > 0 && args[0] == "monitor" && File.Exists(Path.Combine(AppContext.BaseDirectory, TestHandlers.FailMonitorFile)))
{
    await Console.Error.WriteLineAsync("this build's monitor fails at start on purpose");
    return 1;
}

var registry = HandlerRegistry.CreateBuilder()
    .AddDemoHandlers()
    .AddWhoisHandlers()
    .Add<CountHandler>(TestHandlers.Count)
    .Add<HangHandler>(TestHandlers.Hang)
    .Add<PoisonHandler>(TestHandlers.Poison)
    .Add<CountHandler>(TestHandlers.Boom)
    .Add<QuickHandler>(TestHandlers.Quick)
    .Add<StubbornHandler>(TestHandlers.Stubborn)
    .Add<RelayHandler>(TestHandlers.Relay)
    .Add<ChaosHandler>(TestHandlers.Chaos)
    .Add<FreezeLockedHandler>(TestHandlers.FreezeLocked)
    .Build();
return await HeavyJobsCli.RunAsync(args, registry);
