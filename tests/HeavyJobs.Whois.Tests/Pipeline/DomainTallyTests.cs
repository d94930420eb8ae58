using HeavyJobs.Whois.Pipeline;

namespace HeavyJobs.Whois.Tests.Pipeline;

public sealed class DomainTallyTests
{
    [Fact]
    public void ALaterRecordOfADomain_ReplacesWhatItsEarlierOneAdded()
    {
        var tally = new DomainTally();
        tally.Set("a.com", ["summary|domains", "registrar|One"]);
        tally.Set("b.com", ["summary|domains", "registrar|One"]);
        tally.Set("a.com", ["summary|domains", "registrar|Two", "status|ok", "status|ok"]);

        Assert.Equal(2, tally.Domains);
        Assert.True(tally.Contains("a.com"));
        Assert.False(tally.Contains("c.com"));
        // A counter no domain adds to any more is not reported; a counter a record adds twice counts twice.
        Assert.Equal(
            new Dictionary<string, long> { ["summary|domains"] = 2, ["registrar|One"] = 1, ["registrar|Two"] = 1, ["status|ok"] = 2 },
            tally.Counts().ToDictionary());

        tally.Set("b.com", ["summary|domains"]);
        Assert.DoesNotContain(tally.Counts(), c => c.Key == "registrar|One");
    }
}
