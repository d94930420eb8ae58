using HeavyJobs.Whois.Server;

namespace HeavyJobs.Whois.Tests.Server;

public sealed class SyntheticPopulationTests
{
    [Fact]
    public void Same_seed_gives_the_same_domains_and_answers()
    {
        var a = new SyntheticPopulation(seed: 42, size: 1_000_000);
        var b = new SyntheticPopulation(seed: 42, size: 1_000_000);

        foreach (var index in Enumerable.Range(0, 300).Select(i => (long)i * 3331))
        {
            var left = a.Describe(index);
            var right = b.Describe(index);
            Assert.Equal(left.Name, right.Name);
            Assert.Equal(left.IsRegistered, right.IsRegistered);
            Assert.Equal(
                WhoisTemplates.RenderRegistryAnswer(left, WhoisTestSupport.Epoch),
                WhoisTemplates.RenderRegistryAnswer(right, WhoisTestSupport.Epoch));
            if (left.IsRegistered)
            {
                Assert.Equal(
                    WhoisTemplates.RenderRegistrarAnswer(left, WhoisTestSupport.Epoch),
                    WhoisTemplates.RenderRegistrarAnswer(right, WhoisTestSupport.Epoch));
            }
        }
    }

    [Fact]
    public void Different_seeds_give_different_populations()
    {
        var a = new SyntheticPopulation(seed: 1, size: 1000);
        var b = new SyntheticPopulation(seed: 2, size: 1000);

        var differing = Enumerable.Range(0, 200).Count(i =>
            a.Domain(i) != b.Domain(i)
            || a.Describe(i).Registration?.RegistrantOrganization != b.Describe(i).Registration?.RegistrantOrganization);
        Assert.True(differing > 150, $"only {differing} of 200 domains differ");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(123L)]
    [InlineData(999_999L)]
    [InlineData(1_000_000L)]
    [InlineData(4_999_999_999L)]
    public void Lookup_parses_the_index_back_out_of_the_name(long index)
    {
        var population = new SyntheticPopulation(seed: 9, size: 5_000_000_000);
        var name = population.Domain(index);

        var found = population.Lookup(name.ToUpperInvariant() + ".");

        Assert.NotNull(found);
        Assert.Equal(index, found.Index);
        Assert.Equal(name, found.Name);
        Assert.StartsWith("dom-", name, StringComparison.Ordinal);
    }

    [Fact]
    public void Lookup_rejects_names_outside_the_population()
    {
        var population = new SyntheticPopulation(seed: 9, size: 1000);
        var name = population.Domain(5);
        var suffix = population.Describe(5).Tld.Suffix;
        var otherSuffix = population.Tlds.First(t => t.Suffix != suffix).Suffix;

        Assert.Null(population.Lookup($"dom-000005.{otherSuffix}"));
        Assert.Null(population.Lookup($"dom-5.{suffix}"));
        Assert.Null(population.Lookup($"dom-001000.{suffix}"));
        Assert.Null(population.Lookup("example.com"));
        Assert.Null(population.Lookup("dom-.com"));
        Assert.Null(population.Lookup(string.Empty));
        Assert.NotNull(population.Lookup(name));
    }

    [Fact]
    public void Registered_share_and_suffix_mix_follow_the_options()
    {
        var population = new SyntheticPopulation(seed: 3, size: 20_000);
        var domains = Enumerable.Range(0, 5000).Select(i => population.Describe(i)).ToList();

        var registeredShare = domains.Count(d => d.IsRegistered) / (double)domains.Count;
        Assert.InRange(registeredShare, 0.82, 0.88);
        Assert.Equal(SyntheticPopulation.AllTlds.Select(t => t.Suffix).Order(), domains.Select(d => d.Tld.Suffix).Distinct().Order());
        Assert.True(domains.Count(d => d.Tld.Suffix == "com") > domains.Count(d => d.Tld.Suffix == "se"));
    }

    [Fact]
    public void Registrations_are_consistent()
    {
        var population = new SyntheticPopulation(seed: 5, size: 10_000);
        var registrars = SyntheticPopulation.Registrars.Select(r => r.WhoisServer).ToHashSet();

        foreach (var domain in Enumerable.Range(0, 2000).Select(i => population.Describe(i)).Where(d => d.IsRegistered))
        {
            var r = domain.Registration!;
            Assert.InRange(r.NameServers.Count, 2, 4);
            Assert.Equal(r.NameServers.Count, r.NameServers.Distinct().Count());
            Assert.True(r.CreatedAt <= r.UpdatedAt, domain.Name);
            Assert.True(r.UpdatedAt < population.ReferenceDate, domain.Name);
            Assert.True(r.ExpiresAt > population.ReferenceDate, domain.Name);
            Assert.NotEmpty(r.Statuses);
            Assert.Contains(r.Registrar.WhoisServer, registrars);
            Assert.False(string.IsNullOrWhiteSpace(r.RegistrantOrganization));
            Assert.Equal(2, r.RegistrantCountry.Length);
        }
    }

    [Fact]
    public void Suffix_option_restricts_the_population()
    {
        var population = new SyntheticPopulation(seed: 5, size: 1000, new SyntheticPopulationOptions { Suffixes = ["com", "de"], RegisteredFraction = 1 });

        Assert.All(Enumerable.Range(0, 200), i => Assert.Contains(population.Describe(i).Tld.Suffix, (string[])["com", "de"]));
        Assert.All(Enumerable.Range(0, 200), i => Assert.True(population.Describe(i).IsRegistered));
        Assert.Equal(["whois.denic.de", "whois.verisign-grs.com"], population.RegistryServers.Order());
        Assert.Throws<ArgumentException>(() => new SyntheticPopulation(1, 10, new SyntheticPopulationOptions { Suffixes = ["zz"] }));
    }

    [Fact]
    public void Find_tld_uses_the_longest_population_suffix()
    {
        var population = new SyntheticPopulation(seed: 1, size: 10);

        Assert.Equal("co.uk", population.FindTld("anything.co.uk")?.Suffix);
        Assert.Equal("com.br", population.FindTld("x.com.br")?.Suffix);
        Assert.Equal("com", population.FindTld("x.com")?.Suffix);
        Assert.Null(population.FindTld("x.example"));
    }
}
