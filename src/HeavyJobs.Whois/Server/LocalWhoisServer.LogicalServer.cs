using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HeavyJobs.Whois.Server;

/// <summary>One of the server's logical WHOIS servers (a registry or a registrar): its port, its faults and what it was asked.</summary>
public sealed partial class LocalWhoisServer
{
    /// <summary>One registry or registrar server: its listener, faults and request log.</summary>
    private sealed class LogicalServer(string name, WhoisRegistryStyle? style, SyntheticRegistrar? registrar, WhoisFaultOptions faults, bool record)
    {
        private readonly Lock _lock = new();
        private readonly List<WhoisRequestRecord> _records = [];
        private readonly Queue<DateTimeOffset> _lastSecond = new();
        private TcpListener? _listener;
        private long _ordinal;
        private int _count;
        private int _busiestSecond;

        public string Name { get; } = name;

        public WhoisRegistryStyle? Style { get; } = style;

        public SyntheticRegistrar? Registrar { get; } = registrar;

        public WhoisFaultOptions Faults { get; } = faults;

        /// <summary>Legacy registrars answer in Latin-1; clients must fall back to it.</summary>
        public Encoding Encoding { get; } = registrar?.Flavor.Latin1 == true ? Encoding.Latin1 : new UTF8Encoding(false);

        public int Port { get; private set; }

        public int Count
        {
            get
            {
                lock (_lock)
                    return _count;
            }
        }

        /// <summary>The most requests within one second up to any arrival (t - 1 s, t].</summary>
        public int BusiestSecond
        {
            get
            {
                lock (_lock)
                    return _busiestSecond;
            }
        }

        public bool Records => record;

        public void Listen(TcpListener listener, int backlog)
        {
            listener.Start(backlog);
            _listener = listener;
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public ValueTask<Socket> AcceptAsync(CancellationToken cancellationToken) =>
            (_listener ?? throw new ObjectDisposedException(Name)).AcceptSocketAsync(cancellationToken);

        public void StopListening() => _listener?.Stop();

        /// <summary>Decides a request's fate and records it, atomically, so counts and windows never disagree.</summary>
        public Fate Decide(string query, string domain, DateTimeOffset now, WhoisServedOutcome answer, long? seed)
        {
            lock (_lock)
            {
                var rng = seed is { } s ? new StableRandom(s, _ordinal, Name) : new StableRandom((ulong)Random.Shared.NextInt64());
                _ordinal++;

                while (_lastSecond.Count > 0 && now - _lastSecond.Peek() >= TimeSpan.FromSeconds(1))
                    _lastSecond.Dequeue();
                var overLimit = Faults.RateLimitPerSecond is { } limit && _lastSecond.Count >= limit;
                _lastSecond.Enqueue(now);
                _busiestSecond = Math.Max(_busiestSecond, _lastSecond.Count);

                var connection = rng.NextDouble();
                var content = rng.NextDouble();
                var fate = connection < Faults.ResetProbability ? new Fate(WhoisServedOutcome.Reset)
                    : connection < Faults.ResetProbability + Faults.CloseWithoutAnswerProbability ? new Fate(WhoisServedOutcome.ClosedWithoutAnswer)
                    : overLimit || connection < Faults.ResetProbability + Faults.CloseWithoutAnswerProbability + Faults.RateLimitProbability ? new Fate(WhoisServedOutcome.RateLimited)
                    : content < Faults.GarbageProbability ? new Fate(WhoisServedOutcome.Garbage) { Garbage = Garbage(ref rng) }
                    : content < Faults.GarbageProbability + Faults.TruncateProbability ? new Fate(WhoisServedOutcome.Truncated) { TruncateAt = 0.1 + (0.8 * rng.NextDouble()) }
                    : new Fate(answer);
                _count++;
                if (record)
                    _records.Add(new WhoisRequestRecord(Name, query, domain, now, fate.Outcome));
                return fate;
            }
        }

        public IReadOnlyList<WhoisRequestRecord> Snapshot()
        {
            lock (_lock)
                return [.. _records];
        }

        public void Clear()
        {
            lock (_lock)
            {
                _records.Clear();
                _lastSecond.Clear();
                _count = 0;
                _busiestSecond = 0;
                _ordinal = 0;
            }
        }

        private static byte[] Garbage(ref StableRandom rng)
        {
            var bytes = new byte[64 + rng.Next(960)];
            for (var i = 0; i < bytes.Length; i++)
                bytes[i] = (byte)rng.Next(256);

            // A lone continuation byte up front guarantees the garbage is not valid UTF-8 by accident.
            bytes[0] = 0xBF;
            return bytes;
        }
    }

    private sealed record Fate(WhoisServedOutcome Outcome)
    {
        public byte[]? Garbage { get; init; }

        public double TruncateAt { get; init; }
    }
}
