using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using HeavyJobs.Storage;

namespace HeavyJobs.Runtime.Tests.Worker;

/// <summary>A store that counts the calls made to it, and lets a test step into any of them.</summary>
public class StoreSpy : DispatchProxy
{
    private IHeavyStore _inner = null!;

    public ConcurrentDictionary<string, int> Calls { get; } = new();

    /// <summary>Given the method name, its call number and arguments, returns a result to use instead of the store's, or null.</summary>
    public Func<string, int, object?[], IHeavyStore, object?>? Intercept { get; set; }

    public static (IHeavyStore Store, StoreSpy Spy) Wrap(IHeavyStore inner)
    {
        var store = Create<IHeavyStore, StoreSpy>();
        var spy = (StoreSpy)(object)store;
        spy._inner = inner;
        return (store, spy);
    }

    public int Count(string method) => Calls.TryGetValue(method, out var n) ? n : 0;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var n = Calls.AddOrUpdate(targetMethod.Name, 1, (_, c) => c + 1);
        if (Intercept?.Invoke(targetMethod.Name, n, args ?? [], _inner) is { } result)
        {
            return result;
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }
}
