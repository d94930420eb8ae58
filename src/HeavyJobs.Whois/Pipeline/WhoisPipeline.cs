using HeavyJobs.Core.Handlers;

namespace HeavyJobs.Whois.Pipeline;

/// <summary>The pilot: fetchers, then parsers (streaming), then one aggregator (a barrier).</summary>
public static class WhoisPipeline
{
    public const string Fetch = "whois.fetch";
    public const string Parse = "whois.parse";
    public const string Aggregate = "whois.aggregate";

    public static HandlerRegistry.Builder AddWhoisHandlers(this HandlerRegistry.Builder builder) => builder
        .Add<FetchHandler>(Fetch, new HandlerOptions { StallTimeout = TimeSpan.FromMinutes(3) })
        .Add<ParseHandler>(Parse, new HandlerOptions { StallTimeout = TimeSpan.FromMinutes(2) })
        .Add<AggregateHandler>(Aggregate, new HandlerOptions { StallTimeout = TimeSpan.FromMinutes(10) });
}
