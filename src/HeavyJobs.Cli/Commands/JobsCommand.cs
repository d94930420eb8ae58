using System.CommandLine;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Jobs;

namespace HeavyJobs.Cli.Commands;

internal static class JobsCommand
{
    public static Command Create(CliApp app) => new("jobs", "Cancel, pause or resume a job (every stage).")
    {
        Verb(app, "cancel", "Cancel a job: its chunks stop at once and commit nothing more.", (s, p, ct) => s.JobCancelAsync(p, ct)),
        Verb(app, "pause", "Pause a job: no new chunks start; running ones checkpoint and yield.", (s, p, ct) => s.JobPauseAsync(p, ct)),
        Verb(app, "resume", "Resume a paused job.", (s, p, ct) => s.JobResumeAsync(p, ct)),
    };

    private static Command Verb(CliApp app, string name, string description, Func<IHeavyStore, JobChangeParams, CancellationToken, Task<bool>> change)
    {
        var id = new Argument<long>("job");
        var command = new Command(name, description) { id };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var job = parse.GetValue(id);
                var now = app.Time.GetUtcNow();
                if (!await change(store, new JobChangeParams(job, now, new ActionInsertParams($"cli:{Environment.UserName}", name, $"job {name}", now)), ct))
                {
                    throw new UserError($"job {job} does not exist or cannot be {name}d from its current state");
                }

                Console.WriteLine($"job {job}: {name} done");
                return 0;
            },
            ct));
        return command;
    }
}
