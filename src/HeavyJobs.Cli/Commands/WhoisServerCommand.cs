using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using HeavyJobs.Whois.Client;
using HeavyJobs.Whois.Server;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Cli.Commands;

/// <summary>heavyjobs whois-server: the local WHOIS server over a synthetic population, for the pilot and its tests.</summary>
internal static class WhoisServerCommand
{
    /// <summary>The most domains scanned for a registered sample domain to print (a population may have none).</summary>
    private const int SampleScanLimit = 10_000;

    public static Command Create(CliApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var portBase = new Option<int>("--port-base")
        {
            Description = "First TCP port: the logical servers get consecutive ports from here. 0 gives each an ephemeral port.",
            DefaultValueFactory = _ => 0,
        };
        var domains = new Option<long>("--domains") { Description = "Domains in the synthetic population (dom-000000.com, …).", DefaultValueFactory = _ => 100_000 };
        var seed = new Option<long>("--seed") { Description = "Seed of the population and of the fault decisions (same seed, same answers).", DefaultValueFactory = _ => 1 };
        var registered = new Option<double>("--registered-fraction") { Description = "Share of the domains that are registered; the rest answer \"not found\".", DefaultValueFactory = _ => 0.85 };
        var latency = new Option<int>("--latency-ms") { Description = "Delay before every answer, in milliseconds." };
        var errorRate = new Option<double>("--error-rate") { Description = "Share of connections that fail: half reset (TCP RST), half closed without a byte." };
        var rateLimit = new Option<double?>("--rate-limit") { Description = "Queries per second each logical server tolerates; beyond it, it answers with its rate-limit message." };
        var rateLimitedRate = new Option<double>("--rate-limited-rate") { Description = "Share of queries answered \"limit exceeded\" however slowly they come (a quota used up by someone else)." };
        var truncateRate = new Option<double>("--truncate-rate") { Description = "Share of answers cut short." };
        var garbageRate = new Option<double>("--garbage-rate") { Description = "Share of answers replaced by random bytes." };
        var serversFile = new Option<string?>("--servers-file") { Description = "Write the server table (name → 127.0.0.1:port) as JSON here, for WHOIS clients to load." };
        var command = new Command("whois-server", "Run a local WHOIS server over a synthetic population in the foreground until Ctrl+C or SIGTERM.")
        {
            portBase, domains, seed, registered, latency, errorRate, rateLimit, rateLimitedRate, truncateRate, garbageRate, serversFile,
        };
        command.SetAction(async (parse, ct) =>
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

            // System.CommandLine 2.0.0 leaves ProcessTerminationTimeout null (dotnet/command-line-api#2739), so
            // neither Ctrl+C nor SIGTERM cancels ct: without these the runtime would kill the process unreported.
            void Stop(PosixSignalContext c)
            {
                c.Cancel = true;
                stop.Cancel();
            }

            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            try
            {
                var settings = new ServerSettings(
                    parse.GetValue(portBase),
                    parse.GetValue(domains),
                    parse.GetValue(seed),
                    parse.GetValue(registered),
                    parse.GetValue(latency),
                    parse.GetValue(errorRate),
                    parse.GetValue(rateLimit),
                    parse.GetValue(rateLimitedRate),
                    parse.GetValue(truncateRate),
                    parse.GetValue(garbageRate),
                    parse.GetValue(serversFile));
                return await RunServerAsync(app, settings, stop.Token);
            }
            catch (UserError ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    private static async Task<int> RunServerAsync(CliApp app, ServerSettings settings, CancellationToken stop)
    {
        var population = new SyntheticPopulation(settings.Seed, settings.Domains, new SyntheticPopulationOptions { RegisteredFraction = settings.RegisteredFraction });
        var options = new LocalWhoisServerOptions
        {
            BasePort = settings.PortBase,
            FaultSeed = settings.Seed,
            Faults = new WhoisFaultOptions
            {
                Latency = TimeSpan.FromMilliseconds(settings.LatencyMs),
                ResetProbability = settings.ErrorRate / 2,
                CloseWithoutAnswerProbability = settings.ErrorRate / 2,
                TruncateProbability = settings.TruncateRate,
                GarbageProbability = settings.GarbageRate,
                RateLimitPerSecond = settings.RateLimit,
                RateLimitProbability = settings.RateLimitedRate,
            },
        };
        using var loggers = CliApp.Loggers(LogLevel.Warning);
        await using var server = new LocalWhoisServer(population, options, app.Time, loggers.CreateLogger<LocalWhoisServer>());
        var count = server.ServerNames.Count;
        if (settings.PortBase != 0 && settings.PortBase > 65536 - count)
        {
            throw new UserError($"--port-base: {count} logical servers need ports {settings.PortBase}…{settings.PortBase + count - 1}; the last port is 65535");
        }

        try
        {
            await server.StartAsync(stop);
        }
        catch (SocketException ex)
        {
            throw new UserError(settings.PortBase == 0
                ? $"cannot listen on 127.0.0.1: {ex.Message}"
                : $"cannot listen on 127.0.0.1 ports {settings.PortBase}…{settings.PortBase + count - 1}: {ex.Message} (choose another --port-base, or 0 for ephemeral ports)");
        }

        var table = server.ServerTable;
        if (settings.ServersFile is { } path)
        {
            try
            {
                await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 4096, useAsync: true);
                await table.SaveJsonAsync(file, stop);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new UserError($"--servers-file: cannot write '{path}': {ex.Message}");
            }
        }

        PrintTable(server, settings, table);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, app.Time, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: stop and report.
        }

        await server.StopAsync(CancellationToken.None);
        PrintSummary(server);
        return 0;
    }

    private static void PrintTable(LocalWhoisServer server, ServerSettings settings, WhoisServerTable table)
    {
        var population = server.Population;
        var suffixes = population.Tlds
            .GroupBy(t => t.RegistryServer, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => string.Join(", ", g.Select(t => "." + t.Suffix)), StringComparer.OrdinalIgnoreCase);
        var width = server.ServerNames.Max(n => n.Length);
        var output = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        output.Append(culture, $"Local WHOIS server: {population.Size:N0} synthetic domains (seed {population.Seed}), {server.ServerNames.Count} logical servers")
            .AppendLine();
        output.AppendLine("Registries:");
        foreach (var name in server.RegistryServerNames)
        {
            output.Append(culture, $"  {name.PadRight(width)}  {table.ResolveEndpoint(name)}  {suffixes.GetValueOrDefault(name)}").AppendLine();
        }

        output.AppendLine("Registrars:");
        foreach (var name in server.RegistrarServerNames)
        {
            output.Append(culture, $"  {name.PadRight(width)}  {table.ResolveEndpoint(name)}").AppendLine();
        }

        if (settings.ServersFile is { } path)
        {
            output.Append(culture, $"Server table written to {path}").AppendLine();
        }

        var sample = FindSample(population);
        var registry = sample.Tld.RegistryServer;
        output.Append(culture, $"Sample domain: {sample.Name} ({(sample.IsRegistered ? "registered" : "not registered")}, registry {registry})").AppendLine();
        output.Append(culture, $"Try: whois -h 127.0.0.1 -p {server.PortOf(registry)} {sample.Name}").AppendLine();
        if (sample is { Registration: { } registration, Tld.HasRegistrarReferral: true })
        {
            var registrar = registration.Registrar.WhoisServer;
            output.Append(culture, $"Its registrar ({registrar}): whois -h 127.0.0.1 -p {server.PortOf(registrar)} {sample.Name}").AppendLine();
        }

        output.AppendLine("Serving until Ctrl+C or SIGTERM.");
        Console.Write(output.ToString());
    }

    /// <summary>A registered domain, preferably under a registry that refers to a registrar (.com), else the first domain.</summary>
    private static SyntheticDomain FindSample(SyntheticPopulation population)
    {
        SyntheticDomain? registered = null;
        for (var i = 0L; i < Math.Min(population.Size, SampleScanLimit); i++)
        {
            var domain = population.Describe(i);
            if (domain.IsRegistered && domain.Tld.HasRegistrarReferral)
            {
                return domain;
            }

            registered ??= domain.IsRegistered ? domain : null;
        }

        return registered ?? population.Describe(0);
    }

    private static void PrintSummary(LocalWhoisServer server)
    {
        var counts = server.RequestCounts;
        var width = server.ServerNames.Max(n => n.Length);
        var output = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        output.AppendLine("Stopped. Requests per logical server:");
        foreach (var name in server.ServerNames)
        {
            output.Append(culture, $"  {name.PadRight(width)}  {counts.GetValueOrDefault(name),8:N0}").AppendLine();
        }

        output.Append(culture, $"  {"total".PadRight(width)}  {server.TotalRequestCount,8:N0}").AppendLine();
        Console.Write(output.ToString());
    }

    private sealed class ServerSettings
    {
        public ServerSettings(
            int portBase, long domains, long seed, double registeredFraction, int latencyMs,
            double errorRate, double? rateLimit, double rateLimitedRate, double truncateRate, double garbageRate, string? serversFile)
        {
            PortBase = portBase is >= 0 and <= 65535 ? portBase : throw new UserError($"--port-base: must be 0 (ephemeral ports) or a TCP port (got {portBase})");
            Domains = domains > 0 ? domains : throw new UserError($"--domains: must be at least 1 (got {domains})");
            Seed = seed;
            RegisteredFraction = Share("--registered-fraction", registeredFraction);
            LatencyMs = latencyMs >= 0 ? latencyMs : throw new UserError($"--latency-ms: must not be negative (got {latencyMs})");
            ErrorRate = Share("--error-rate", errorRate);
            RateLimit = rateLimit is null or > 0 ? rateLimit : throw new UserError($"--rate-limit: must be positive (got {rateLimit})");
            RateLimitedRate = Share("--rate-limited-rate", rateLimitedRate);
            if (errorRate + rateLimitedRate > 1)
            {
                throw new UserError($"--error-rate and --rate-limited-rate: together at most 1 (got {errorRate + rateLimitedRate})");
            }

            TruncateRate = Share("--truncate-rate", truncateRate);
            GarbageRate = Share("--garbage-rate", garbageRate);
            if (truncateRate + garbageRate > 1)
            {
                throw new UserError($"--truncate-rate and --garbage-rate: together at most 1 (got {truncateRate + garbageRate})");
            }

            ServersFile = string.IsNullOrWhiteSpace(serversFile) ? null : serversFile;
        }

        public int PortBase { get; }

        public long Domains { get; }

        public long Seed { get; }

        public double RegisteredFraction { get; }

        public int LatencyMs { get; }

        public double ErrorRate { get; }

        public double? RateLimit { get; }

        public double RateLimitedRate { get; }

        public double TruncateRate { get; }

        public double GarbageRate { get; }

        public string? ServersFile { get; }

        private static double Share(string option, double value) =>
            value is >= 0 and <= 1 ? value : throw new UserError($"{option}: must be between 0 and 1 (got {value})");
    }
}
