using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Threading.Channels;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Whois.Client;

namespace HeavyJobs.Whois.Pipeline;

/// <summary>
/// One run of a fetch chunk: keeps queries in flight as <see cref="FetchLanes"/> allows, and commits each domain
/// once fetched, whatever the order. Only this loop touches the chunk's context (outputs, counters,
/// checkpoints); the queries only ask for turns, so the context never sees two callers at once where it does
/// not expect them.
/// </summary>
internal sealed class FetchRun(IChunkContext context, WhoisClient client, IReadOnlyList<string> keys, FetchProgress progress, FetchLanes lanes, int every, TimeProvider time)
{
    private readonly Channel<Event> _events = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<int> _batch = [];
    private long _lastCheckpoint;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;
        _lastCheckpoint = time.GetTimestamp();
        try
        {
            while (true)
            {
                while (!stop.IsCancellationRequested && lanes.TryStart(out var server, out var index))
                    _ = FetchOneAsync(server, index, stop.Token);
                if (lanes.InFlight == 0)
                    break;

                var next = await NextAsync();
                if (next is null)
                {
                    // Fetched domains wait no longer than this for a checkpoint, even while the rest hang.
                    await CheckpointAsync(cancellationToken);
                    continue;
                }

                if (next is not Finished done)
                {
                    Note(next);
                    continue;
                }

                lanes.Finished(done.Server, done.Turned, failed: !done.Ok);
                if (done.Error is { } error)
                {
                    // Cancelled, or something other than the server went wrong: start nothing more, let the
                    // queries in flight end, commit what was fetched, then stop.
                    failure ??= error;
                    await stop.CancelAsync();
                    continue;
                }

                context.Output(keys[done.Index], done.Json!);
                context.Add(1, good: done.Ok ? 1 : 0, bad: done.Ok ? 0 : 1);
                progress.MarkDone(done.Index);
                _batch.Add(done.Index);
                if (_batch.Count >= every)
                    await CheckpointAsync(cancellationToken);
            }
        }
        finally
        {
            // Nothing may run against the context once the handler has returned.
            await stop.CancelAsync();
            while (lanes.InFlight > 0)
            {
                var next = await _events.Reader.ReadAsync(CancellationToken.None);
                if (next is Finished done)
                    lanes.Finished(done.Server, done.Turned);
                else
                    Note(next);
            }
        }

        await CheckpointAsync(cancellationToken);
        if (failure is not null)
            ExceptionDispatchInfo.Throw(failure);
        // A run that was not stopped ends only when every domain is fetched. Returning with some never started
        // would complete the chunk without them, and nothing downstream would notice; failing the run keeps what
        // was fetched (the checkpoint above) and the retry fetches the rest.
        if (!progress.AllDone && !cancellationToken.IsCancellationRequested)
            throw new InvalidOperationException(
                $"The fetch ran out of queries to start with {progress.Count - progress.Done} of its {progress.Count} domains not fetched ({lanes.Describe()}); the retry fetches them.");
    }

    private void Note(Event next)
    {
        if (next.Answered)
            lanes.Answered(next.Server);
        else
            lanes.Turned(next.Server);
    }

    private async Task FetchOneAsync(string server, int index, CancellationToken cancellationToken)
    {
        var probe = FleetPoliteness.Watch(() => _events.Writer.TryWrite(new Event(server, Answered: false)), () => _events.Writer.TryWrite(new Event(server, Answered: true)));
        Finished done;
        try
        {
            var (ok, json) = await FetchHandler.FetchAsync(client, keys[index], cancellationToken);
            done = new Finished(server, index, ok, json, probe.Turned, null);
        }
        catch (Exception ex)
        {
            done = new Finished(server, index, false, null, probe.Turned, ex);
        }

        _events.Writer.TryWrite(done);
    }

    /// <summary>The next query to get its turn or to finish, or null when fetched domains have waited <see cref="FetchHandler.CheckpointAfter"/> for a checkpoint.</summary>
    private async ValueTask<Event?> NextAsync()
    {
        if (_events.Reader.TryRead(out var ready))
            return ready;
        if (_batch.Count == 0)
            return await _events.Reader.ReadAsync(CancellationToken.None);

        var left = FetchHandler.CheckpointAfter - time.GetElapsedTime(_lastCheckpoint);
        if (left <= TimeSpan.Zero)
            return null;

        using var timeout = new CancellationTokenSource(left, time);
        try
        {
            return await _events.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Commits the domains fetched since the last checkpoint, and emits their parse chunk.</summary>
    private async ValueTask CheckpointAsync(CancellationToken cancellationToken)
    {
        if (_batch.Count == 0)
            return;

        _batch.Sort();
        var domains = _batch.Select(i => keys[i]).ToList();
        // Each domain is committed by one checkpoint only, so the batch's first index names it uniquely.
        context.Emit(new EmittedChunk(context.Stage + 1, WhoisPipeline.Parse, JsonSerializer.Serialize(new ParseChunkInput(context.ChunkId, domains), PipelineJsonContext.Default.ParseChunkInput), $"parse:{context.ChunkId}:{_batch[0]}"));
        _batch.Clear();
        _lastCheckpoint = time.GetTimestamp();
        await context.CheckpointAsync(progress.ToString(), cancellationToken);
    }

    /// <summary>A query of the server's lane got its turn there (the lane may start another), or its answer from there (the lane widens).</summary>
    private record Event(string Server, bool Answered);

    private sealed record Finished(string Server, int Index, bool Ok, string? Json, bool Turned, Exception? Error) : Event(Server, false);
}
