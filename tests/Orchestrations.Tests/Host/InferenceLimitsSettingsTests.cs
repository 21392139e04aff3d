using Microsoft.Extensions.Configuration;
using Serverless.Inference;
using Serverless.Jobs.Configuration;

namespace Serverless.Orchestrations.Tests.Host;

/// <summary>host.json's inference section sets the declared-size limits of an image.</summary>
public sealed class InferenceLimitsSettingsTests
{
    [Fact]
    public void The_declared_size_limits_are_read_from_the_inference_section()
    {
        var options = InferenceOptionsFactory.Create(Settings(new() { ["inference:maxDeclaredPixels"] = "1000000", ["inference:maxDeclaredSide"] = "2000" }));

        Assert.Equal((1_000_000L, 2000), (options.MaxDeclaredPixels, options.MaxDeclaredSide));
    }

    [Fact]
    public void Absent_the_documented_defaults_apply()
    {
        var options = InferenceOptionsFactory.Create(Settings([]));

        Assert.Equal((250_000_000L, 32_768), (options.MaxDeclaredPixels, options.MaxDeclaredSide));
        Assert.True(12_000L * 9_000 <= options.MaxDeclaredPixels, "a 108 MP phone photo must pass");
    }

    [Fact]
    public void A_limit_below_one_is_a_clear_error()
    {
        var e = Assert.Throws<InvalidOperationException>(() => InferenceOptionsFactory.Create(Settings(new() { ["inference:maxDeclaredSide"] = "0" })));

        Assert.Contains("inference:maxDeclaredSide", e.Message);
    }

    private static IConfiguration Settings(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
