using HeavyJobs.Runtime.Monitor;

namespace HeavyJobs.Runtime.Tests.Monitor;

public sealed class TurnGateTests
{
    // A deadline for a turn that is handed over at once; a wrong hand-over fails instead of hanging.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFreedTurn_GoesToTheUrgentWaiter_AheadOfOthersThatAskedBefore_ThenInOrder()
    {
        var gate = new TurnGate(2);
        await gate.WaitAsync(Ct);
        await gate.WaitAsync(Ct);
        var first = gate.WaitAsync(Ct);
        var second = gate.WaitAsync(Ct);
        var beat = gate.WaitAsync(Ct, urgent: true);
        Assert.False(first.IsCompleted || second.IsCompleted || beat.IsCompleted);

        gate.Release();
        await beat.WaitAsync(Deadline, Ct);
        Assert.False(first.IsCompleted || second.IsCompleted);

        gate.Release();
        await first.WaitAsync(Deadline, Ct);
        Assert.False(second.IsCompleted);
        gate.Release();
        await second.WaitAsync(Deadline, Ct);
    }

    [Fact]
    public async Task ACancelledWaiter_TakesNoTurn_TheNextOneDoes_AndTurnsNobodyWaitsForAreKept()
    {
        var gate = new TurnGate(1);
        await gate.WaitAsync(Ct);
        using var stop = new CancellationTokenSource();
        var cancelled = gate.WaitAsync(stop.Token, urgent: true);
        var next = gate.WaitAsync(Ct);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        gate.Release();
        await next.WaitAsync(Deadline, Ct);
        gate.Release();
        // The turn went back to the gate: taken again at once, and only once.
        await gate.WaitAsync(Ct);
        Assert.False(gate.WaitAsync(Ct).IsCompleted);
    }
}
