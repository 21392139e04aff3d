using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Host.Durable;
using Serverless.Host.Hosting;
using Serverless.TestSupport;
using Serverless.Activities;
using Serverless.Jobs;

namespace Serverless.Orchestrations.Tests;

/// <summary>host.json's Durable Task section as the self-host reads it and hands it to DTFx.</summary>
public sealed class TaskHubOptionsTests
{
    [Fact]
    public void The_shipped_host_json_maps_onto_the_Azure_Storage_settings()
    {
        var options = Resolve(HostJson());
        var settings = TaskHubSettingsFactory.Create(options, "UseDevelopmentStorage=true", NullLoggerFactory.Instance);
        var again = TaskHubSettingsFactory.Create(options, "UseDevelopmentStorage=true", NullLoggerFactory.Instance);

        Assert.Equal("ServerlessTaskHub", settings.TaskHubName);
        Assert.Equal(4, settings.PartitionCount);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.WorkItemQueueVisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.ControlQueueVisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.MaxQueuePollingInterval);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.LeaseInterval);
        Assert.Equal(2, settings.MaxConcurrentTaskActivityWorkItems);
        Assert.Equal(16, settings.MaxConcurrentTaskOrchestrationWorkItems);
        Assert.True(settings.ExtendedSessionsEnabled);
        // The scheduler entity's memory of senders, stored at each of its turns: a minute of pages, not half an hour (TaskHubOptions).
        Assert.Equal(1, settings.EntityMessageReorderWindowInMinutes);
        Assert.False(settings.UseAppLease);
        // One id per process, never the machine name alone that several processes on a machine share.
        Assert.NotEqual(settings.WorkerId, again.WorkerId);
        Assert.StartsWith(Environment.MachineName + "-" + Environment.ProcessId, settings.WorkerId);
    }

    [Fact]
    public void Every_bad_setting_is_named_when_the_host_starts()
    {
        var bad = new Dictionary<string, string?>
        {
            ["extensions:durableTask:hubName"] = "9-not-a-hub",
            ["extensions:durableTask:maxConcurrentActivityFunctions"] = "0",
            ["extensions:durableTask:entityMessageReorderWindowInMinutes"] = "-1",
            ["extensions:durableTask:storageProvider:partitionCount"] = "17",
            ["extensions:durableTask:storageProvider:controlQueueBatchSize"] = "64",
            ["extensions:durableTask:storageProvider:workItemQueueVisibilityTimeout"] = "00:00:05",
            ["extensions:durableTask:storageProvider:maxDequeueCount"] = "1",
            ["extensions:durableTask:storageProvider:leaseRenewInterval"] = "00:00:10",
        };

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(bad));

        string[] named =
        [
            "extensions:durableTask:hubName", "extensions:durableTask:maxConcurrentActivityFunctions", "extensions:durableTask:entityMessageReorderWindowInMinutes",
            "extensions:durableTask:storageProvider:partitionCount", "extensions:durableTask:storageProvider:controlQueueBatchSize",
            "extensions:durableTask:storageProvider:workItemQueueVisibilityTimeout", "extensions:durableTask:storageProvider:maxDequeueCount",
            "extensions:durableTask:storageProvider:leaseRenewInterval",
        ];
        Assert.All(named, setting => Assert.Contains(error.Failures, f => f.StartsWith(setting + " ", StringComparison.Ordinal)));
        Assert.Equal(named.Length, error.Failures.Count());
    }

    [Fact]
    public void Without_a_storage_connection_the_host_says_it_needs_one()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();

        var error = Assert.Throws<InvalidOperationException>(() => services.AddTaskHub(configuration, HostRole.All));

        Assert.Contains("needs a task hub in Azure Storage and AzureWebJobsStorage is not set", error.Message);
    }

    private static Dictionary<string, string?> HostJson()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepoPaths.Root, "host.json")).Build();
        return configuration.AsEnumerable().ToDictionary(p => p.Key, p => p.Value);
    }

    private static TaskHubOptions Resolve(Dictionary<string, string?> settings)
    {
        settings["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddBatchInference(configuration).AddTaskHub(configuration, HostRole.Api);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<TaskHubOptions>>().Value;
    }
}
