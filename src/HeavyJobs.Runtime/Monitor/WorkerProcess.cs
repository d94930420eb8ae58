using System.Diagnostics;
using System.Text.Json.Nodes;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Storage.Throughput;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>One worker process as its monitor sees it: its pipes, what it last said, and why it is going away.</summary>
internal sealed class WorkerProcess
{
    /// <summary>Garbage lines in a row after which the worker is killed as broken.</summary>
    public const int MaxGarbageInARow = 100;

    /// <summary>Longest stderr line kept in memory while it is read; the tail keeps only its first 500 characters anyway.</summary>
    public const int MaxStderrLineBytes = 64 * 1024;

    private readonly Process _process;
    private readonly TimeProvider _time;
    private readonly Queue<string> _stderr = new();
    private readonly int _stderrLines;
    private readonly Lock _lock = new();
    private readonly List<ThroughputSample> _samples = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _ending = new();
    private int _garbageInARow;
    private string? _endingReason;
    private volatile bool _proxyCommitted;

    public WorkerProcess(long id, string type, Process process, TimeProvider time, int stderrLines, int restarts, string? runningFile)
    {
        Id = id;
        Type = type;
        RunningFile = runningFile;
        _process = process;
        _time = time;
        _stderrLines = stderrLines;
        Restarts = restarts;
        Pid = process.Id;
        StartedTs = time.GetTimestamp();
        LastHeartbeatTs = StartedTs;
        LastProgressTs = StartedTs;
        Exited = process.WaitForExitAsync();
    }

    public long Id { get; }

    public string Type { get; }

    public int Pid { get; }

    public int Restarts { get; }

    public long StartedTs { get; }

    public Task Exited { get; }

    /// <summary>Completes when the worker first reports a state other than starting: its row is due at once.</summary>
    public Task Ready => _ready.Task;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public WorkerState State { get; private set; } = WorkerState.Starting;

    public IReadOnlyList<long> Chunks { get; private set; } = [];

    public long Items { get; private set; }

    public long Good { get; private set; }

    public long Bad { get; private set; }

    public long Checkpoints { get; private set; }

    public long LastHeartbeatTs { get; private set; }

    public long LastProgressTs { get; private set; }

    public bool Proxy { get; private set; }

    /// <summary>Where it keeps the chunks its handlers run (<see cref="Protocol.RunningFile"/>); null if the monitor could not make the file.</summary>
    public string? RunningFile { get; }

    public string? Version { get; private set; }

    /// <summary>Why the monitor is ending it (stop, terminate, hung, scale down), or null while it should live.</summary>
    public string? EndingReason
    {
        get => Volatile.Read(ref _endingReason);
        set
        {
            lock (_ending)
            {
                _endingReason = value;
            }
        }
    }

    /// <summary>
    /// The monitor ended it for reasons of its own (a stop, drain, scale-down or an operator's terminate): its
    /// death says nothing about its chunks, so none of them counts it.
    /// </summary>
    public bool EndedBySystem { get; set; }

    /// <summary>
    /// It committed progress (a checkpoint or a completion, as its heartbeats or its proxied checkpoints say): a
    /// worker that did work and then died is replaced at once and counts nothing toward back-off or crash-loop.
    /// </summary>
    public bool Committed => Checkpoints > 0 || _proxyCommitted;

    /// <summary>When a stopping worker is killed if it has not exited.</summary>
    public long? KillAtTs { get; set; }

    /// <summary>Start a replacement when it exits (a restart command, a hung worker's kill).</summary>
    public bool ReplaceWhenGone { get; private set; }

    /// <summary>
    /// Marks it ending for <paramref name="reason"/> unless it already is: the loop and the hang detector's own
    /// loop may both come to end it, and only the first may say why and whether it is replaced.
    /// </summary>
    public bool TryEnd(string reason, bool replace)
    {
        lock (_ending)
        {
            if (_endingReason is not null)
            {
                return false;
            }

            ReplaceWhenGone = replace;
            Volatile.Write(ref _endingReason, reason);
            return true;
        }
    }

    public ProcStats Stats { get; } = new();

    public bool Broken => _garbageInARow >= MaxGarbageInARow;

    public long ItemsAtLastRow { get; set; }

    public long RowWrittenTs { get; set; }

    public WorkerState? StateAtLastRow { get; set; }

    public string StderrTail
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public List<ThroughputSample> TakeSamples()
    {
        lock (_lock)
        {
            var samples = _samples.ToList();
            _samples.Clear();
            return samples;
        }
    }

    public void AddSample(ThroughputSample sample)
    {
        lock (_lock)
        {
            _samples.Add(sample);
        }
    }

    public void Send(WireMessage message)
    {
        // Serialized before the lock: answers to different calls of a worker (a page of outputs is hundreds of
        // kilobytes) otherwise waited for each other's serialization, not just their writes. Written as UTF-8 from
        // a pooled buffer: nothing else writes to the worker's stdin, so its writer's buffer is always empty.
        using var line = Wire.SerializeLine(message);
        try
        {
            lock (_process)
            {
                var stdin = _process.StandardInput.BaseStream;
                line.WriteTo(stdin);
                stdin.Flush();
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // It is dying; its exit is handled when the monitor reaps it.
        }
    }

    public void Kill() => ProcessGroup.Kill(_process);

    /// <summary>Reads stdout until it closes, handing each message to <paramref name="onMessage"/>.</summary>
    public async Task ReadOutputAsync(Func<WorkerProcess, string, JsonObject, Task> onMessage)
    {
        try
        {
            var reader = new WireLineReader(_process.StandardOutput.BaseStream, decode: false);
            while (await reader.ReadAsync(CancellationToken.None) is { Kind: not WireReadKind.End } read)
            {
                if (read.Kind != WireReadKind.Line)
                {
                    // An oversized or half line is garbage too, and says why in the stderr tail.
                    Interlocked.Increment(ref _garbageInARow);
                    AddStderr($"[garbage on stdout] {read.Problem}");
                    continue;
                }

                if (!Wire.TryParse(reader.LastLine, out var type, out var body))
                {
                    Interlocked.Increment(ref _garbageInARow);
                    var line = reader.LastLine;
                    AddStderr($"[garbage on stdout] {System.Text.Encoding.UTF8.GetString(line[..Math.Min(line.Length, 200)])}{(line.Length > 200 ? "…" : "")}");
                    continue;
                }

                _garbageInARow = 0;
                switch (type)
                {
                    case "hello":
                        Version = body.Str("version");
                        Proxy = body.Bool("proxy");
                        break;
                    case "heartbeat":
                        OnHeartbeat(body);
                        break;
                    default:
                        await onMessage(this, type, body);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    public async Task ReadErrorsAsync()
    {
        try
        {
            var reader = new WireLineReader(_process.StandardError.BaseStream, MaxStderrLineBytes);
            while (await reader.ReadAsync(CancellationToken.None) is { Kind: not WireReadKind.End } read)
            {
                AddStderr(read.Text ?? $"[stderr] {read.Problem}");
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    /// <summary>A proxy worker's checkpoint committed this much: count it as the worker's progress and throughput.</summary>
    public void OnProxyProgress(string type, int stage, ChunkCounters delta)
    {
        _proxyCommitted = true;
        if (!delta.IsZero)
        {
            AddSample(new ThroughputSample(_time.GetUtcNow(), Id, type, stage, delta.Done, delta.Good, delta.Bad));
        }
    }

    private void OnHeartbeat(JsonObject body)
    {
        var now = _time.GetTimestamp();
        LastHeartbeatTs = now;
        var items = body.Long("items");
        var checkpoints = body.Long("checkpoints");
        if (items != Items || checkpoints != Checkpoints || State != WorkerState.Busy)
        {
            LastProgressTs = now;
        }

        Items = items;
        Checkpoints = checkpoints;
        Good = body.Long("good");
        Bad = body.Long("bad");
        try
        {
            State = WorkerStates.Parse(body.Str("state") ?? "idle");
        }
        catch (FormatException)
        {
            State = WorkerState.Idle;
        }

        if (State != WorkerState.Starting)
        {
            _ready.TrySetResult();
        }

        // Entries that are not whole numbers are skipped: a hostile heartbeat must not end the read loop.
        Chunks = body["chunks"] is JsonArray chunks
            ? chunks.Select(c => c is JsonValue v && v.TryGetValue<long>(out var id) ? id : 0).Where(c => c > 0).ToList()
            : [];
        if (body["samples"] is JsonArray samples)
        {
            foreach (var s in samples.OfType<JsonObject>())
            {
                AddSample(new ThroughputSample(_time.GetUtcNow(), Id, s.Str("type") ?? Type, (int)s.Long("stage"), s.Long("items"), s.Long("good"), s.Long("bad")));
            }
        }
    }

    private void AddStderr(string line)
    {
        lock (_lock)
        {
            _stderr.Enqueue(line.Length > 500 ? line[..500] + "…" : line);
            while (_stderr.Count > _stderrLines)
            {
                _stderr.Dequeue();
            }
        }
    }
}
