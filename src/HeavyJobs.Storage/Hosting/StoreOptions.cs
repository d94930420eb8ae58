using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HeavyJobs.Storage.Hosting;

/// <summary>
/// Which store a host opens: a kind ("sqlite", "postgres") and its connection (a file path or a connection
/// string), bound from the configuration section <see cref="Section"/> or set in code by a store package's
/// <c>UseSqlite</c> / <c>UsePostgres</c>. Each store package registers how to open its kind; a kind nobody
/// registered stops the host at start.
/// </summary>
public sealed class StoreOptions
{
    public const string Section = "HeavyJobs:Store";

    private readonly Dictionary<string, Func<string, TimeProvider, ILoggerFactory, IHeavyStore>> _providers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The kind of store to open: one registered by a store package.</summary>
    public string? Kind { get; set; }

    /// <summary>A SQLite file path, or a PostgreSQL connection string.</summary>
    public string? Connection { get; set; }

    /// <summary>The kinds this host knows how to open.</summary>
    public IReadOnlyCollection<string> KnownKinds => _providers.Keys;

    /// <summary>Teaches the host to open a kind of store (given the connection, the clock and the host's logging); store packages call it.</summary>
    public StoreOptions AddProvider(string kind, Func<string, TimeProvider, ILoggerFactory, IHeavyStore> open)
    {
        _providers[kind] = open;
        return this;
    }

    /// <summary>Opens the configured store (not yet migrated), logging to <paramref name="logging"/> if given.</summary>
    /// <exception cref="InvalidOperationException">The options are not valid; <see cref="Validate"/> says why.</exception>
    public IHeavyStore Open(TimeProvider time, ILoggerFactory? logging = null) =>
        Validate() is { } error ? throw new InvalidOperationException(error) : _providers[Kind!](Connection!, time, logging ?? NullLoggerFactory.Instance);

    /// <summary>Null when the options can open a store; else what is wrong, naming the option.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Kind))
        {
            return $"{Section}:Kind is not set: say which store to use ({Known()})";
        }

        if (!_providers.ContainsKey(Kind))
        {
            return $"{Section}:Kind '{Kind}' is not a known store (known: {Known()})";
        }

        return string.IsNullOrWhiteSpace(Connection) ? $"{Section}:Connection is not set: a SQLite file path or a PostgreSQL connection string" : null;
    }

    private string Known() => _providers.Count == 0 ? "none registered: add a store package and call UseSqlite or UsePostgres" : string.Join(", ", _providers.Keys.Order(StringComparer.Ordinal));
}
