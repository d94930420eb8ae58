using System.Collections.Frozen;

namespace HeavyJobs.Core.Handlers;

/// <summary>
/// Maps the type keys stored with jobs to handler factories registered in code. The database only ever names
/// a key; a key nobody registered is an error, never a type to load.
/// </summary>
public sealed class HandlerRegistry
{
    private readonly FrozenDictionary<string, HandlerRegistration> _handlers;

    private HandlerRegistry(FrozenDictionary<string, HandlerRegistration> handlers) => _handlers = handlers;

    public IEnumerable<string> Types => _handlers.Keys.Order(StringComparer.Ordinal);

    public IEnumerable<HandlerRegistration> Registrations => _handlers.Values;

    public bool Contains(string type) => _handlers.ContainsKey(type);

    public HandlerRegistration Get(string type) =>
        _handlers.TryGetValue(type, out var registration)
            ? registration
            : throw new UnknownJobTypeException(type, Types);

    public static Builder CreateBuilder() => new();

    public sealed class Builder
    {
        private readonly Dictionary<string, HandlerRegistration> _handlers = new(StringComparer.Ordinal);

        public Builder Add(string type, Func<IChunkHandler> factory, HandlerOptions? options = null)
        {
            if (!HandlerRegistration.IsValidType(type))
            {
                throw new ArgumentException(
                    $"Handler type '{type}' is not valid: use letters, digits, '.', '-' and '_' (at most 100 characters).",
                    nameof(type));
            }

            if (!_handlers.TryAdd(type, new HandlerRegistration(type, factory, options ?? new HandlerOptions())))
            {
                throw new ArgumentException($"Handler type '{type}' is registered twice.", nameof(type));
            }

            return this;
        }

        public Builder Add<THandler>(string type, HandlerOptions? options = null)
            where THandler : IChunkHandler, new() => Add(type, static () => new THandler(), options);

        public HandlerRegistry Build() => new(_handlers.ToFrozenDictionary(StringComparer.Ordinal));
    }
}

public sealed record HandlerRegistration(string Type, Func<IChunkHandler> Factory, HandlerOptions Options)
{
    internal static bool IsValidType(string type) =>
        type.Length is > 0 and <= 100 && type.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}
