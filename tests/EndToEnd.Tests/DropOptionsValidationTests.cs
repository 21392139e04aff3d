using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Drops;
using Serverless.Drops.Watching;
using Serverless.Host.Hosting;

namespace Serverless.EndToEnd.Tests;

/// <summary>host.json's drops section is checked when the host starts (no processes: the options as the host registers them).</summary>
public sealed class DropOptionsValidationTests
{
    private static readonly Dictionary<string, string?> ValidLocation = new()
    {
        ["drops:locations:0:source"] = "s3://drops/incoming/",
        ["drops:locations:0:results"] = "s3://drops/results/",
        ["drops:locations:0:model"] = "models/mobilenetv2.onnx",
    };

    [Fact]
    public void A_valid_section_binds()
    {
        var options = Resolve(ValidLocation);
        Assert.Equal("s3://drops/incoming/", Assert.Single(options.Locations).Source);
        // The state bounds' documented defaults (functions/Drops/README.md).
        Assert.Equal((TimeSpan.FromHours(1), TimeSpan.FromDays(7), 500), (options.WatermarkWindow, options.SettledReceiptRetention, options.SweepBatch));
    }

    [Fact]
    public void Every_bad_setting_is_named_in_one_error()
    {
        var settings = new Dictionary<string, string?>(ValidLocation)
        {
            ["drops:locations:0:top"] = "1000",
            ["drops:locations:0:batchSize"] = "0",
            ["drops:locations:1:source"] = "ftp://elsewhere/x",
            ["drops:locations:1:results"] = "",
            ["drops:locations:1:model"] = "m.onnx",
            ["drops:jobs:0"] = "gopher://jobs/",
            ["drops:maxAttempts"] = "0",
            ["drops:pollInterval"] = "00:00:00",
            ["drops:watermarkWindow"] = "-00:00:01",
            ["drops:settledReceiptRetention"] = "00:00:00",
            ["drops:sweepBatch"] = "0",
        };

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        Assert.Contains(error.Failures, f => f.StartsWith("drops:locations:0:top must be between 1 and 100", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("drops:locations:0:batchSize", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("drops:locations:1:source:", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("drops:locations:1:results:", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("drops:jobs:0:", StringComparison.Ordinal));
        Assert.Contains("drops:maxAttempts must be at least 1", error.Failures);
        Assert.Contains("drops:pollInterval must be positive", error.Failures);
        Assert.Contains("drops:watermarkWindow must not be negative", error.Failures);
        Assert.Contains("drops:settledReceiptRetention must be positive", error.Failures);
        Assert.Contains("drops:sweepBatch must be at least 1", error.Failures);
        Assert.Equal(10, error.Failures.Count());
    }

    private static DropOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddBlobDrops(configuration, runsWorkers: false);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<DropOptions>>().Value;
    }
}
