using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Host.Security;

namespace Serverless.Orchestrations.Tests.Host;

/// <summary>A configured key that is short, a placeholder or a shipped sample stops the host at start, naming its setting.</summary>
public sealed class HostKeyPolicyTests
{
    private const string Good = "3f0c2a9b7e6d4c1a8b5e2f9d0c7a6b4e";

    [Theory]
    [InlineData("SERVERLESS_MASTER_KEY", "REPLACE_ME")]
    [InlineData("SERVERLESS_MASTER_KEY", "dev-master-key-change-me")]
    [InlineData("SERVERLESS_FUNCTION_KEY", "dev-function-key-change-me")]
    [InlineData("SERVERLESS_MASTER_KEY", "replace_me_with_a_long_random_value")]
    [InlineData("SERVERLESS_MASTER_KEY", "short-key")]
    [InlineData("keys:master", "REPLACE_ME")]
    [InlineData("keys:functions:reports", "dev-function-key-change-me")]
    [InlineData("SERVERLESS_FUNCTION_KEYS:ci", "abc")]
    public async Task A_bad_key_is_refused_at_start_naming_the_setting(string setting, string value)
    {
        var keys = Provider(new() { [setting] = value, [Other(setting)] = Good });

        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await new HostKeysStartup(keys).StartAsync(CancellationToken.None));

        Assert.Contains(setting, e.Message);
        Assert.DoesNotContain(Good, e.Message);
    }

    [Fact]
    public async Task Random_keys_of_enough_length_are_accepted()
    {
        var keys = await Provider(new() { ["SERVERLESS_MASTER_KEY"] = Good, ["keys:functions:ci"] = Good[..16] }).GetAsync(default);

        Assert.True(keys.HasMaster);
        Assert.Contains("ci", keys.FunctionKeyNames);
    }

    // A valid key in another setting, so the bad one is what fails.
    private static string Other(string setting) => setting.Contains("master", StringComparison.OrdinalIgnoreCase) ? "SERVERLESS_FUNCTION_KEY" : "SERVERLESS_MASTER_KEY";

    private static HostKeyProvider Provider(Dictionary<string, string?> settings) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), NullLogger<HostKeyProvider>.Instance);
}
