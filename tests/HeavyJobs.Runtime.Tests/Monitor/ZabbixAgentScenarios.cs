using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Storage.Jobs;

namespace HeavyJobs.Runtime.Tests.Monitor;

/// <summary>
/// The real Zabbix agent (Debian's zabbix-agent2) reads HeavyJobs' items through the UserParameter file that
/// <c>service install --zabbix</c> writes, against a running monitor, and reports what <c>workers ps</c> shows.
/// Without the agent this fails: test.sh installs it.
/// </summary>
public sealed partial class ZabbixAgentScenarios() : ProcessScenario("postgres")
{
    private const string Agent = "/usr/sbin/zabbix_agent2";
    [Fact]
    public async Task TheAgentsItemTest_ReportsTheBusyAndIdleWorkersThatPsShows_TheBacklogAndTheMachinesUp()
    {
        Assert.True(File.Exists(Agent), $"{Agent} is missing: install Debian's zabbix-agent2 (apt-get install -y zabbix-agent2) to run the Zabbix test");
        // One long chunk keeps one of three workers busy; the two others stay idle. Three chunks of a type no worker
        // runs here stay waiting: the backlog.
        await SubmitAsync("test.count", """{"start":0,"end":100000}""", """{"sleepMs":10,"every":10}""");
        await SubmitAsync("test.quick", """{"start":0,"end":10}""", "{}", chunks: 3);
        Run.Start();
        await Run.CliAsync(Ct, "workers", "scale", "test.count=3", "--node", Run.Node);
        Assert.True(await MonitorRun.UntilAsync(async () => await PsAsync() is (1, 2), Within, Ct), Run.Log);

        var root = Directory.CreateTempSubdirectory("heavyjobs-zabbix-").FullName;
        var (exit, output) = await Run.CliAsync(Ct, "service", "install", "--root", root, "--zabbix", "--env-file", "/etc/heavyjobs/heavyjobs.env");
        Assert.True(exit == 0, output);
        // The file as installed, its environment file moved under this test's root with it.
        var conf = Path.Combine(root, "etc/zabbix/zabbix_agent2.d/heavyjobs.conf");
        await File.WriteAllTextAsync(conf, (await File.ReadAllTextAsync(conf, Ct)).Replace("/etc/heavyjobs/zabbix.env", Path.Combine(root, "etc/heavyjobs/zabbix.env"), StringComparison.Ordinal), Ct);
        var agentConf = Path.Combine(root, "agent.conf");
        // Each item starts a .NET process: the agent's default 3 s timeout is too short on a loaded machine.
        await File.WriteAllTextAsync(agentConf, $"Hostname=heavyjobs-test\nLogType=console\nTimeout=30\nInclude={conf}\n", Ct);

        var busy = await ItemAsync(agentConf, $"heavyjobs.workers[busy,{Run.Node},test.count]");
        var idle = await ItemAsync(agentConf, $"heavyjobs.workers[idle,{Run.Node}]");
        var ps = await PsAsync();
        Assert.Equal(("1", "2"), (busy, idle));
        Assert.Equal((1, 2), ps);
        Assert.Equal("3", await ItemAsync(agentConf, "heavyjobs.workers[all]"));
        Assert.Equal("3", await ItemAsync(agentConf, "heavyjobs.backlog[test.quick]"));
        Assert.Equal("0", await ItemAsync(agentConf, "heavyjobs.backlog[test.count]"));
        Assert.Equal("1", await ItemAsync(agentConf, "heavyjobs.machines.up"));
        var discovery = JsonDocument.Parse(await ItemAsync(agentConf, "heavyjobs.discovery")).RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("{#NODE}").GetString(), e.GetProperty("{#TYPE}").GetString())).ToList();
        Assert.Contains((Run.Node, "test.count"), discovery);
    }

    /// <summary>Busy and idle workers as <c>workers ps --json</c> lists them.</summary>
    private async Task<(int Busy, int Idle)> PsAsync()
    {
        var (exit, json) = await Run.CliAsync(Ct, "workers", "ps", "--json", "--node", Run.Node);
        if (exit != 0)
        {
            return (-1, -1);
        }

        var states = JsonDocument.Parse(json).RootElement.GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("state").GetString()).ToList();
        return (states.Count(s => s == "busy"), states.Count(s => s == "idle"));
    }

    /// <summary>
    /// zabbix_agent2 -t prints "key   [s|value]" (or [m|ZBX_NOTSUPPORTED] [why]); the value, or the whole line on
    /// failure. An item that ran into the agent's timeout (30 s at most: each item starts a .NET process, which a
    /// badly loaded machine can make slower) is asked again, as the agent itself does at its next interval.
    /// </summary>
    private static async Task<string> ItemAsync(string conf, string key)
    {
        var output = "";
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var agent = Process.Start(new ProcessStartInfo(Agent, ["-c", conf, "-t", key]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            output = await agent.StandardOutput.ReadToEndAsync(Ct) + await agent.StandardError.ReadToEndAsync(Ct);
            await agent.WaitForExitAsync(Ct);
            if (ItemValue().Match(output) is { Success: true } value)
            {
                return value.Groups[1].Value.Trim();
            }

            if (!output.Contains("Timeout while", StringComparison.Ordinal))
            {
                break;
            }
        }

        Assert.Fail($"{key}: {output}");
        return "";
    }

    private async Task SubmitAsync(string type, string input, string parameters, int chunks = 1) =>
        await Store.JobInsertAsync(
            new JobInsertParams(type, [new StageDefinition("main", type, StageMode.Streaming)], parameters, Enumerable.Repeat(input, chunks), 0, 5, TimeProvider.System.GetUtcNow()),
            Ct);

    [GeneratedRegex(@"\[[stu]\|(.*)\]\s*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ItemValue();
}
