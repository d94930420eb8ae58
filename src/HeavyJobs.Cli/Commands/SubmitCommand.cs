using System.CommandLine;
using HeavyJobs.Runtime.Jobs;

namespace HeavyJobs.Cli.Commands;

internal static class SubmitCommand
{
    public static Command Create(CliApp app)
    {
        var file = new Argument<string>("file") { Description = "A job definition, .json or .yaml (see docs/handlers.md)." };
        var command = new Command("submit", "Submit a job from a JSON or YAML file: validate it, split it into chunks and store it.") { file };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var path = parse.GetValue(file)!;
                try
                {
                    var inserted = await JobSubmitter.SubmitFileAsync(store, app.Registry, path, app.Time, ct);
                    Console.WriteLine($"job {inserted.JobId} submitted with {inserted.ChunkCount} chunks");
                }
                catch (NothingToRunException ex)
                {
                    Console.WriteLine(ex.Message);
                }

                return 0;
            },
            ct));
        return command;
    }
}
