using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Backends.AzureStorage;
using Serverless.Orchestrations.Client;
using Serverless.Orchestrations.Worker;
using Serverless.TestSupport;
using Xunit.Abstractions;

namespace Serverless.Orchestrations.Tests.AzureStorage;

/// <summary>
/// The storage cost of a fan-out/fan-in: requests per activity, counted on the wire. Azurite
/// (and a storage account's per-partition limits) cap throughput at requests/s, so this is
/// what bounds activities/s.
/// </summary>
public sealed class AzureStorageRequestCountTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const int Activities = 300;

    [Fact]
    public async Task A_fan_out_and_fan_in_costs_few_storage_requests_per_activity()
    {
        var counter = new StorageRequestCounter(azurite.Azurite);
        var backend = new AzureStorageOrchestrationBackend(TestHubs.Options(azurite.ConnectionString, policies: [counter]));
        await backend.CreateTaskHubAsync();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IOrchestrationBackend>(backend);
        builder.Services.AddSingleton<IOrchestrationQueryBackend>(backend);
        builder.Services.AddDurableTaskWorker(r => r
            .AddActivityFunc<int, int>("NoOp", (_, x) => x)
            .AddOrchestratorFunc<int, int>("FanOut", async (ctx, n) =>
                (await Task.WhenAll(Enumerable.Range(0, n).Select(i => ctx.CallActivityAsync<int>("NoOp", i)))).Sum()));
        builder.Services.Configure<DurableTaskOptions>(o => o.StorageProvider.MaxQueuePollingInterval = TimeSpan.FromMilliseconds(50));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = new DurableTaskClient(backend, backend);
            counter.Reset();
            var id = await client.ScheduleNewOrchestrationInstanceAsync("FanOut", Activities);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
            var counts = counter.Snapshot();

            Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
            Assert.Equal(Activities * (Activities - 1) / 2, int.Parse(done.SerializedOutput!, System.Globalization.CultureInfo.InvariantCulture));
            var perActivity = (double)counts.Values.Sum() / Activities;
            output.WriteLine($"{perActivity:0.00} requests per activity ({counts.Values.Sum()} for {Activities})");
            var latency = counter.MeanMilliseconds();
            foreach (var (kind, count) in counts)
                output.WriteLine($"  {kind,-18} {count,6}  {(double)count / Activities:0.000}/activity  {latency.GetValueOrDefault(kind):0.0} ms mean");
            // Per activity: a share of a packed work-item message (send, receive, delete; 300
            // activities go out as 75 messages of 4), of a folded result message and its delete,
            // and of the turns' table batches. Before packing it was 3.30, before folding 6.75.
            Assert.True(perActivity < 2.0, $"{perActivity:0.00} requests per activity");
        }
        finally
        {
            await host.StopAsync();
            await backend.DeleteTaskHubAsync();
        }
    }
}
