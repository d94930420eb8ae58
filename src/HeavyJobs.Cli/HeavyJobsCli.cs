using System.CommandLine;
using HeavyJobs.Cli.Commands;
using HeavyJobs.Core.Handlers;

namespace HeavyJobs.Cli;

/// <summary>The heavyjobs executable: thin commands over the libraries. Users with their own handlers call this from their own Main.</summary>
public static class HeavyJobsCli
{
    public static async Task<int> RunAsync(string[] args, HandlerRegistry registry)
    {
        if (Console.IsOutputRedirected)
        {
            // Tables piped to a file or another program should not wrap at 80 columns.
            Spectre.Console.AnsiConsole.Profile.Width = 240;
        }

        var app = new CliApp(registry, TimeProvider.System);
        using var trimming = NativeHeap.StartTrimming(app.Time, NativeHeap.TrimEvery);
        var root = new RootCommand("HeavyJobs: long, chunked jobs on the servers you have, kept in a database.");
        root.Options.Add(app.Db);
        root.Subcommands.Add(MigrateCommand.Create(app));
        root.Subcommands.Add(SubmitCommand.Create(app));
        root.Subcommands.Add(StatusCommand.Create(app));
        root.Subcommands.Add(ChunksCommand.Create(app));
        root.Subcommands.Add(JobsCommand.Create(app));
        root.Subcommands.Add(WorkerCommand.Create(app));
        root.Subcommands.Add(WorkersCommand.Create(app));
        root.Subcommands.Add(MachinesCommand.Create(app));
        root.Subcommands.Add(MonitorCommand.Create(app));
        root.Subcommands.Add(ActionsCommand.Create(app));
        root.Subcommands.Add(ThroughputCommand.Create(app));
        root.Subcommands.Add(RunCommand.Create(app));
        root.Subcommands.Add(WebCommand.Create(app));
        root.Subcommands.Add(ManagerCommand.Create(app));
        root.Subcommands.Add(ServeCommand.Create(app));
        root.Subcommands.Add(ServiceCommand.Create(app));
        root.Subcommands.Add(ZabbixCommand.Create(app));
        root.Subcommands.Add(SchedulesCommand.Create(app));
        root.Subcommands.Add(KeysCommand.Create(app));
        root.Subcommands.Add(PruneCommand.Create(app));
        root.Subcommands.Add(BackupCommand.Create(app));
        root.Subcommands.Add(DeployCommand.Create(app));
        var whois = WhoisCommand.Create(app);
        whois.Subcommands.Add(WhoisAggregatesCommand.Create(app));
        root.Subcommands.Add(whois);
        root.Subcommands.Add(WhoisServerCommand.Create(app));
        return await root.Parse(args).InvokeAsync();
    }
}
