using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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
}
