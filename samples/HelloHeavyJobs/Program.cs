using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Runtime.Hosting;
using HeavyJobs.Storage.Sqlite;
using HelloHeavyJobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// One executable for every role. Run as it is, it is this machine's monitor and the fleet's manager; the monitor
// starts this same executable again as a worker for the types registered below (HEAVYJOBS_WORKER_ID in its
// environment says so), and then only the worker role runs.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddHeavyJobs(o => o.UseSqlite(builder.Configuration["db"] ?? "hello.db"))
    .AddHandler<WordCountHandler>(WordCountHandler.Type)
    .AddMonitor(o => o.Node = builder.Configuration["node"] ?? o.Node)
    .AddManager();
using var host = builder.Build();
if (MonitoredProcess.IsWorker)
{
    await host.RunAsync();
    return 0;
}

await host.StartAsync();
var client = host.Services.GetRequiredService<HeavyJobsClient>();
string[] lines =
[
    "a worker killed at any instant costs at most the work since its last checkpoint",
    "partially done chunks run before new ones and idle workers sleep",
    "every chunk keeps the ids of every worker that held it",
];
var job = await client.SubmitAsync(
    new JobDefinition(
        "hello: count words",
        [new StageDefinition("count", WordCountHandler.Type, StageMode.Streaming)],
        JsonSerializer.SerializeToElement(new { }),
        new ChunkSplit.Inputs([.. lines.Select(l => JsonSerializer.Serialize(l))]),
        Priority: 0,
        MaxAttempts: 3),
    CancellationToken.None);
var node = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HeavyJobs.Runtime.Monitor.MonitorOptions>>().Value.Node;
await client.ScaleAsync(node, WordCountHandler.Type, 2, CancellationToken.None);
var done = await client.WaitAsync(job, CancellationToken.None);
Console.WriteLine($"job {job} {done.Job.State.ToString().ToLowerInvariant()}: {done.Counters.Good} words in {lines.Length} lines");
await host.StopAsync();
return done.Counters.Good == lines.Sum(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length) ? 0 : 1;
