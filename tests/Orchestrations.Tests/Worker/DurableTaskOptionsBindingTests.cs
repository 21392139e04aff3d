using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Orchestrations.Backends.AzureStorage;
using Serverless.Orchestrations.Worker;

namespace Serverless.Orchestrations.Tests.Worker;

public sealed class DurableTaskOptionsBindingTests
{
    [Fact]
    public void Options_bind_from_the_repository_host_json()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "host.json")))
            directory = directory.Parent;
        Assert.NotNull(directory);
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(directory.FullName, "host.json")).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddDurableTaskOptions().BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<DurableTaskOptions>>().Value;

        Assert.Equal(configuration["extensions:durableTask:hubName"], options.HubName);
        Assert.Equal(int.Parse(configuration["extensions:durableTask:maxConcurrentActivityFunctions"]!), options.MaxConcurrentActivityFunctions);
        Assert.Equal(int.Parse(configuration["extensions:durableTask:storageProvider:partitionCount"]!), options.StorageProvider.PartitionCount);
        Assert.Equal(TimeSpan.Parse(configuration["extensions:durableTask:storageProvider:maxQueuePollingInterval"]!), options.StorageProvider.MaxQueuePollingInterval);
        Assert.Equal(int.Parse(configuration["extensions:durableTask:storageProvider:maxDequeueCount"]!), options.StorageProvider.MaxDequeueCount);
    }

    [Fact]
    public void Storage_settings_reach_the_Azure_Storage_backend()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["extensions:durableTask:hubName"] = "Bound",
            ["extensions:durableTask:storageProvider:partitionCount"] = "7",
            ["extensions:durableTask:storageProvider:maxActivitiesPerWorkItemMessage"] = "1",
            ["extensions:durableTask:storageProvider:workItemQueueVisibilityTimeout"] = "00:01:00",
        }).Build();
        var options = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddDurableTaskOptions().BuildServiceProvider()
            .GetRequiredService<IOptions<DurableTaskOptions>>().Value;

        var backend = AzureStorageBackendOptions.FromDurableTaskOptions(options, "UseDevelopmentStorage=true");

        Assert.Equal("Bound", backend.HubName);
        Assert.Equal(7, backend.PartitionCount);
        Assert.Equal(1, backend.MaxActivitiesPerWorkItemMessage);
        Assert.Equal(TimeSpan.FromMinutes(1), backend.WorkItemQueueVisibilityTimeout);
    }
}
