using System.Text.Json;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Web.Queries;

/// <summary>Store rows to what the pages and the API show.</summary>
internal static class Dto
{
    public static ActionDto Action(ActionRow a) => new(a.Id, a.At, a.Actor, a.Kind, a.Node, a.WorkerId, a.JobId, a.ChunkId, a.Reason);

    public static JobDto Job(JobSummary s, DateTimeOffset? countedAt = null, JobProgress? progress = null)
    {
        var finished = s.ChunksByState.Where(kv => kv.Key.IsFinal()).Sum(kv => kv.Value);
        var j = s.Job;
        return new JobDto(
            j.Id,
            j.Name,
            j.State.ToDb(),
            j.Priority,
            j.MaxAttempts,
            j.CreatedAt,
            j.UpdatedAt,
            j.FinishedAt,
            s.ChunkCount,
            Enum.GetValues<ChunkState>().ToDictionary(state => state.ToDb(), s.Count),
            finished,
            s.ChunkCount == 0 ? 0 : Math.Round(100.0 * s.Count(ChunkState.Done) / s.ChunkCount, 1),
            s.Counters.Done,
            s.Counters.Good,
            s.Counters.Bad,
            countedAt,
            progress is null ? null : EtaDto.From(progress.Eta, progress.EtaIsLowerBound));
    }

    public static StageDto Stage(StageProgress s) => new(
        s.Stage,
        s.Name,
        s.Type,
        s.Mode.ToString().ToLowerInvariant(),
        s.Total,
        s.Done,
        s.Running,
        s.Waiting,
        s.Failed,
        s.Remaining,
        s.Counters.Done,
        s.Counters.Good,
        s.Counters.Bad,
        Math.Round(s.ChunksPerMinute, 2),
        EtaDto.From(s.Eta, s.EtaIsLowerBound));

    public static ChunkDto Chunk(ChunkRow c) => new(
        c.Id,
        c.JobId,
        c.Stage,
        c.Type,
        c.State.ToDb(),
        c.Counters.Done,
        c.Counters.Good,
        c.Counters.Bad,
        c.Cursor,
        c.Holders,
        c.LeaseOwner,
        c.Attempts,
        c.MaxAttempts,
        c.Crashes,
        LastError(c.Errors),
        c.Input.Length <= 200 ? c.Input : c.Input[..200] + "…",
        c.UpdatedAt);

    public static WorkerDto Worker(WorkerRow w, DateTimeOffset now) => new(
        w.Id,
        w.Node,
        w.Pid,
        string.Join(",", w.Types),
        w.State.ToDb(),
        w.CurrentChunk,
        Math.Round(w.CpuPercent, 1),
        w.RssBytes,
        Math.Max(0, ((w.StoppedAt ?? now) - w.StartedAt).TotalSeconds),
        Math.Round(w.ItemsPerSecond, 2),
        w.WorkerVersion ?? w.Version,
        w.Restarts,
        w.HeartbeatAt,
        w.ExitReason,
        LastLines(w.StderrTail, 5),
        w.Version);

    /// <summary>The "error" of the last entry in a chunk's error history (a JSON array of objects).</summary>
    public static string? LastError(string errorsJson)
    {
        if (string.IsNullOrWhiteSpace(errorsJson))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(errorsJson);
            if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.GetArrayLength() == 0)
            {
                return null;
            }

            var last = doc.RootElement[doc.RootElement.GetArrayLength() - 1];
            return last.ValueKind == JsonValueKind.Object && last.TryGetProperty("error", out var error)
                ? error.ValueKind == JsonValueKind.String ? error.GetString() : error.GetRawText()
                : last.GetRawText();
        }
        catch (JsonException)
        {
            // A history that is not JSON is still worth showing as it is.
            return errorsJson;
        }
    }

    public static string? LastLines(string? text, int lines)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var all = text.TrimEnd('\n').Split('\n');
        return all.Length <= lines ? string.Join('\n', all) : string.Join('\n', all[^lines..]);
    }
}
