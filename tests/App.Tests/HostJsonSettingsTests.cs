using System.Text.Json.Nodes;
using Serverless.TestSupport;

namespace Serverless.App.Tests;

/// <summary>The settings both hosts share have the same values in the Functions app's host.json and the self-host's.</summary>
public sealed class HostJsonSettingsTests
{
    public static TheoryData<string> Shared => new()
    {
        "extensions.durableTask.hubName",
        "extensions.durableTask.maxConcurrentActivityFunctions",
        "extensions.durableTask.maxConcurrentOrchestratorFunctions",
        "extensions.durableTask.entityMessageReorderWindowInMinutes",
        "extensions.durableTask.storageProvider.partitionCount",
        "extensions.durableTask.storageProvider.maxQueuePollingInterval",
        "extensions.durableTask.storageProvider.controlQueueVisibilityTimeout",
        "extensions.durableTask.storageProvider.workItemQueueVisibilityTimeout",
        "extensions.durableTask.storageProvider.maxDequeueCount",
        "batchInference.batchSize",
        "batchInference.pageSize",
        "batchInference.maxBatchesInFlight",
        "scheduling.enabled",
        "scheduling.slots",
        "inference.intraOpNumThreads",
        "inference.graphOptimizationLevel",
        "logging.logLevel.DurableTask.AzureStorage",
    };

    [Theory]
    [MemberData(nameof(Shared))]
    public void A_shared_setting_is_the_same_in_both(string path)
    {
        var app = Read(Path.Combine(RepoPaths.Root, "functions", "App", "host.json"), path);
        var self = Read(Path.Combine(RepoPaths.Root, "host.json"), path);

        Assert.NotNull(self);
        Assert.Equal(self!.ToJsonString(), app?.ToJsonString());
    }

    /// <summary>
    /// DurableTask.Core 3.11's entity dispatcher loses the scheduler entity's state on the second batch
    /// of an extended session; the self-host gives entity work items no session (EntitySessionsOff)
    /// and keeps them for orchestrations, the Functions host cannot, so the app turns them off.
    /// </summary>
    [Fact]
    public void The_app_turns_extended_sessions_off_for_the_scheduler_entity()
    {
        Assert.Equal("false", Read(Path.Combine(RepoPaths.Root, "functions", "App", "host.json"), "extensions.durableTask.extendedSessionsEnabled")?.ToJsonString());
    }

    [Fact]
    public void The_app_sets_a_function_timeout()
    {
        Assert.NotNull(Read(Path.Combine(RepoPaths.Root, "functions", "App", "host.json"), "functionTimeout"));
    }

    // Keys may hold dots (logging categories): match the longest key at each step.
    private static JsonNode? Read(string file, string path)
    {
        JsonNode? node = JsonNode.Parse(File.ReadAllText(file));
        var rest = path;
        while (node is JsonObject obj && rest.Length > 0)
        {
            var key = obj.Select(p => p.Key).Where(k => rest == k || rest.StartsWith(k + ".", StringComparison.Ordinal)).OrderByDescending(k => k.Length).FirstOrDefault();
            if (key is null)
                return null;
            node = obj[key];
            rest = rest.Length == key.Length ? "" : rest[(key.Length + 1)..];
        }
        return rest.Length == 0 ? node : null;
    }
}
