namespace HeavyJobs.Cli.Tests;

/// <summary>Secrets in --db never reach a message: every spelling of a password is redacted, by the driver's own parser.</summary>
public sealed class StoreFactoryTests
{
    [Theory]
    [InlineData("Host=db;Username=hj;Password=s3cr3t-A;Database=hj")]
    [InlineData("Host=db;Username=hj;Pwd=s3cr3t-A;Database=hj")]
    [InlineData("Host=db;Username=hj;PSW=s3cr3t-A;Database=hj")]
    [InlineData("Server=db; User ID=hj; pAsSwOrD = s3cr3t-A ;Database=hj")]
    [InlineData("Host=db;Username=hj;Password='s3cr3t-A;still secret';Database=hj")]
    [InlineData("Host=db;Username=hj;SSL Password=s3cr3t-A;Database=hj")]
    [InlineData("Host=db;Username=hj;Database=hj;Password=s3cr3t-A;Bogus Keyword=1")]
    [InlineData("Data Source=/var/lib/hj.db;Password=s3cr3t-A")]
    public void Describe_NeverShowsAPassword(string db)
    {
        var shown = StoreFactory.Describe(db);
        Assert.DoesNotContain("s3cr3t", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("still secret", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_StillSaysWhichStore()
    {
        Assert.Contains("Host=db", StoreFactory.Describe("Host=db;Username=hj;Pwd=x;Database=hj"), StringComparison.Ordinal);
        Assert.Contains("Database=hj", StoreFactory.Describe("Host=db;Username=hj;Pwd=x;Database=hj"), StringComparison.Ordinal);
        Assert.Equal("SQLite " + Path.GetFullPath("jobs.db"), StoreFactory.Describe("jobs.db"));
    }
}
