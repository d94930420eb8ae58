using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Runtime.Worker.StoreAccess;
using HeavyJobs.Storage.Throughput;

namespace HeavyJobs.Runtime.Worker;

/// <summary>
/// A worker under a monitor: it learns its id from the environment, reports over stdout, and hears wake-ups
/// and stop over stdin. The monitor heartbeats its leases. When stdin closes (the monitor died) it stops.
/// </summary>
public sealed class PipeWorkerHost : IWorkerHost, IDisposable
{
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly string _version;
    private readonly Action _stop;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _lock = new();
    private readonly List<ThroughputSample> _samples = [];
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonNode?>> _calls = new();
    private long _seq;
    private WorkerStatus? _lastSent;
    private RunningFile? _running;
    private TimeSpan? _grace;

    /// <param name="input">The monitor's messages (the process's standard input).</param>
    /// <param name="output">This worker's messages (the process's standard output), one line of UTF-8 each.</param>
    /// <param name="stop">Called when the monitor says stop, or goes away.</param>
    public PipeWorkerHost(Stream input, Stream output, string version, Action stop)
    {
        _input = input;
        _output = output;
        _version = version;
        _stop = stop;
    }

    /// <summary>Set when stdin closed: the worker should stop at once rather than drain at leisure.</summary>
    public bool MonitorGone { get; private set; }

    public async Task<long> StartAsync(IReadOnlyList<string> types, CancellationToken cancellationToken)
    {
        var id = Environment.GetEnvironmentVariable(WorkerEnvironment.WorkerId) is { } s && long.TryParse(s, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new InvalidOperationException($"{WorkerEnvironment.WorkerId} is not set: a monitored worker is started by a monitor.");
        if (Environment.GetEnvironmentVariable(WorkerEnvironment.RunningFile) is { Length: > 0 } path)
        {
            try
            {
                _running = RunningFile.Open(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // Not fatal: the monitor then counts this worker's death for every chunk it holds, as it always did.
                await Console.Error.WriteLineAsync($"cannot keep the running file {path}: {ex.Message}".AsMemory(), cancellationToken);
            }
        }

        Send(new HelloMessage(_version, types, Wire.ProtocolVersion, Proxy: false, Environment.ProcessId));
        Listen();
        return id;
    }

    /// <summary>Starts reading what the monitor says (wake, stop, answers to store calls); <see cref="StartAsync"/> does it.</summary>
    internal void Listen() => _ = Task.Run(ReadLoopAsync, CancellationToken.None);

    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _wake.WaitAsync(timeout, cancellationToken);
        // Several wakes may have queued while busy; one claim answers them all.
        while (_wake.CurrentCount > 0 && _wake.Wait(0, CancellationToken.None))
        {
        }
    }

    public void Report(WorkerStatus status)
    {
        if (_lastSent is null || _lastSent.State != status.State)
        {
            SendHeartbeat(status);
        }
    }

    /// <summary>
    /// Kept in the running file its monitor made: a store to shared memory, done before the handler starts and
    /// readable by the monitor once this process is dead, however it died.
    /// </summary>
    public void Running(IReadOnlyCollection<long> chunks) => _running?.Set(chunks);

    public void Record(ThroughputSample sample)
    {
        lock (_lock)
        {
            _samples.Add(sample);
        }
    }

    public TimeSpan? StopGrace => MonitorGone ? TimeSpan.FromSeconds(1) : _grace;

    /// <summary>The monitor heartbeats the leases; the worker only says how it is doing.</summary>
    public Task<IReadOnlyCollection<long>> HeartbeatAsync(WorkerStatus status, CancellationToken cancellationToken)
    {
        SendHeartbeat(status);
        return Task.FromResult<IReadOnlyCollection<long>>([]);
    }

    private void SendHeartbeat(WorkerStatus status)
    {
        List<ThroughputSample> samples;
        lock (_lock)
        {
            samples = [.. _samples];
            _samples.Clear();
        }

        _lastSent = status;
        Send(new HeartbeatMessage(
            status.State.ToDb(), status.Chunks, status.Items, status.Good, status.Bad, status.Checkpoints,
            samples.ConvertAll(s => new HeartbeatSample(s.Type, s.Stage, s.Items, s.Good, s.Bad))));
    }

    public Task StopAsync(string reason, CancellationToken cancellationToken)
    {
        if (!MonitorGone)
        {
            Send(new ByeMessage(reason));
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Sends a store call to the monitor and waits for its answer (<see cref="StoreCalls"/>). Cancelling stops the
    /// wait, not the call: like a statement cancelled in flight it may still be applied, and the epoch fences it.
    /// </summary>
    /// <exception cref="MonitorStoreException">The monitor could not make the call, or is gone.</exception>
    public async Task<JsonNode?> CallAsync(string op, object args, CancellationToken cancellationToken)
    {
        var seq = Interlocked.Increment(ref _seq);
        var answer = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls[seq] = answer;
        try
        {
            if (MonitorGone)
            {
                throw new MonitorStoreException(op, "the monitor is gone");
            }

            try
            {
                Send(new StoreCallMessage(seq, op, args));
            }
            catch (NotSupportedException ex)
            {
                throw new MonitorStoreException(op, $"its arguments are not in the pipe's contract (WireJsonContext): {ex.Message}");
            }

            return await answer.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _calls.TryRemove(seq, out _);
        }
    }

    public void Dispose()
    {
        _wake.Dispose();
        _running?.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            // Read as bytes and parsed from them, as the monitor reads its workers: an answer carrying a page of
            // outputs made into a string first was a large object twice its size for every answer.
            // No limit on a line: the monitor is trusted, and an answer skipped would leave its call waiting for good.
            var reader = new WireLineReader(_input, Array.MaxLength, decode: false);
            while (await reader.ReadAsync(CancellationToken.None) is { Kind: not WireReadKind.End } read)
            {
                if (read.Kind != WireReadKind.Line || !Wire.TryParse(reader.LastLine, out var type, out var body))
                {
                    continue;
                }

                switch (type)
                {
                    case "wake":
                        _wake.Release();
                        break;
                    case StoreCalls.Result:
                        if (_calls.TryRemove(body.Long("seq"), out var answered))
                        {
                            answered.TrySetResult(body["value"]);
                        }

                        break;
                    case StoreCalls.Error:
                        if (_calls.TryRemove(body.Long("seq"), out var refused))
                        {
                            refused.TrySetException(new MonitorStoreException(null, body.Str("error") ?? "failed"));
                        }

                        break;
                    case "stop":
                        _grace = body.Long("graceMs") is > 0 and var ms ? TimeSpan.FromMilliseconds(ms) : null;
                        _stop();
                        break;
                }
            }
        }
        catch (IOException)
        {
        }

        MonitorGone = true;
        foreach (var call in _calls.Values)
        {
            call.TrySetException(new MonitorStoreException(null, "the monitor is gone"));
        }

        _stop();
    }

    private void Send(WireMessage message)
    {
        using var line = Wire.SerializeLine(message);
        lock (_output)
        {
            try
            {
                line.WriteTo(_output);
                _output.Flush();
            }
            catch (IOException)
            {
                // The monitor is gone; the read loop sees it too and stops the worker.
            }
        }
    }
}
