using Microsoft.Extensions.Configuration;
using Serverless.Jobs.Configuration;

namespace Serverless.Orchestrations.Tests.Host;

/// <summary>A host's inference sessions share its CPUs among the work units it runs at once (two when host.json does not say), unless host.json sets their threads.</summary>
public sealed class InferenceThreadsSettingsTests
{
    [Theory]
    [InlineData(null, 2)] // host.json without it: the serverless host runs two units at once
    [InlineData("1", 1)]
    [InlineData("2", 2)]
    [InlineData("4", 4)]
    public void Unset_a_session_gets_the_cpus_divided_among_the_units_run_at_once(string? units, int divisor)
    {
        var options = InferenceOptionsFactory.Create(Settings(new() { ["extensions:durableTask:maxConcurrentActivityFunctions"] = units, ["inference:intraOpNumThreads"] = "0" }));

        Assert.Equal(Math.Max(1, Environment.ProcessorCount / divisor), options.IntraOpNumThreads);
    }

    [Fact]
    public void Set_it_is_what_host_json_says()
    {
        var options = InferenceOptionsFactory.Create(Settings(new() { ["extensions:durableTask:maxConcurrentActivityFunctions"] = "2", ["inference:intraOpNumThreads"] = "3" }));

        Assert.Equal(3, options.IntraOpNumThreads);
    }

    [Fact]
    public void More_units_than_cpus_still_get_a_thread_each()
    {
        var options = InferenceOptionsFactory.Create(Settings(new() { ["extensions:durableTask:maxConcurrentActivityFunctions"] = (Environment.ProcessorCount * 4).ToString() }));

        Assert.Equal(1, options.IntraOpNumThreads);
    }

    private static IConfiguration Settings(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
