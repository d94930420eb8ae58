using HeavyJobs.Cli;

return await HeavyJobsCli.RunAsync(args, Handlers.Default());
