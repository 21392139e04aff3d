using Microsoft.Extensions.Configuration;
using Serverless.Orchestrations.Backends.AzureStorage;
using Serverless.Orchestrations.Worker;
using Serverless.TestSupport;

namespace Serverless.Orchestrations.Tests.AzureStorage;

/// <summary>Partition hashing, key escaping and settings from host.json: no storage needed.</summary>
public sealed class AzureStorageNamingTests
{
    [Fact]
    public void Partition_hash_is_fnv1a_and_spreads_ids_evenly()
    {
        // Reference values of 32-bit FNV-1a.
        Assert.Equal(0x811c9dc5u, PartitionHash.Fnv1a(""));
        Assert.Equal(0xe40c292cu, PartitionHash.Fnv1a("a"));
        Assert.Equal(0xbf9cf968u, PartitionHash.Fnv1a("foobar"));

        var counts = new int[4];
        for (var i = 0; i < 4000; i++)
            counts[PartitionHash.PartitionOf($"job-{i}", 4)]++;
        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
        Assert.Equal(PartitionHash.PartitionOf("same-id", 16), PartitionHash.PartitionOf(new string("same-id".ToCharArray()), 16));
    }

    [Fact]
    public void Keys_escape_characters_tables_forbid_and_keep_prefix_order()
    {
        Assert.Equal("a%2Fb%23c%3Fd%5Ce%25f%09", TableKeys.Escape("a/b#c?d\\e%f\t"));
        Assert.Equal("plain-id_1", TableKeys.Escape("plain-id_1"));
        Assert.StartsWith(TableKeys.Escape("job/"), TableKeys.Escape("job/42"));
        Assert.Equal("h00000042", TableKeys.HistoryRow(42));
        Assert.True(TableKeys.TryParseHistoryRow("h00000042", out var index) && index == 42);
    }

    [Fact]
    public void Hub_name_and_partition_count_come_from_host_json()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepoPaths.Root, "host.json")).Build();
        var durableTask = configuration.GetSection(DurableTaskOptions.SectionName).Get<DurableTaskOptions>()!;

        var options = AzureStorageBackendOptions.FromDurableTaskOptions(durableTask, "UseDevelopmentStorage=true");
        var backend = new AzureStorageOrchestrationBackend(options);

        Assert.Equal("ServerlessHub", options.HubName);
        Assert.Equal(4, options.PartitionCount);
        Assert.Equal(TimeSpan.FromMinutes(2), options.ControlQueueVisibilityTimeout);
        Assert.Equal("serverlesshub-workitems", backend.Names.WorkItemQueue);
        Assert.Equal(["serverlesshub-control-00", "serverlesshub-control-01", "serverlesshub-control-02", "serverlesshub-control-03"], backend.Names.ControlQueues);
        Assert.Equal("ServerlessHubHistory", backend.Names.HistoryTable);
    }
}
