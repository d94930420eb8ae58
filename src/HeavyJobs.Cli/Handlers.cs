using HeavyJobs.Core.Handlers;
using HeavyJobs.Demo;
using HeavyJobs.Whois.Pipeline;

namespace HeavyJobs.Cli;

/// <summary>The handlers built into the heavyjobs executable. Users add their own in their own executable.</summary>
public static class Handlers
{
    public static HandlerRegistry Default() => HandlerRegistry.CreateBuilder().AddDemoHandlers().AddWhoisHandlers().Build();
}
