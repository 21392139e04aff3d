using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Scheduling;
using Serverless.Orchestrations.Tests.Support;

namespace Serverless.Orchestrations.Tests.Scheduling;

/// <summary>
/// A page whose units are short runs its next unit on the slot a finished one freed without asking the
/// scheduler, while the scheduler answered it less than a quantum ago: fewer grants than units. On a
/// host of its own, so no other test's job adds to the scheduler's count of grants.
/// </summary>
public sealed class SlotQuantumTests : IAsyncLifetime
{
    // One page of eight one-image units, two at a time: eight grants if every unit asked for its slot.
    private readonly TaskHubHost hub = new(new Dictionary<string, string>
    {
        ["batchInference:imagesPerTask"] = "1",
        ["batchInference:maxBatchesInFlight"] = "2",
        ["batchInference:maxUnitsInFlight"] = "2",
    });

    public Task InitializeAsync() => hub.InitializeAsync();

    public Task DisposeAsync() => hub.DisposeAsync();

    [Fact]
    public async Task Short_units_reuse_their_slots_within_the_quantum_and_every_image_is_classified()
    {
        var source = hub.WriteImages("quantum", TaskHubHost.PageSize, seed: 95);
        var output = Path.Combine(hub.Root, "out-quantum");

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = output }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(TaskHubHost.PageSize, (await hub.ReadPredictionsAsync(output)).Count);
        var scheduler = await hub.Services.GetRequiredService<SchedulerView>().ReadAsync(hub.Client, CancellationToken.None);
        Assert.InRange(scheduler.Granted, 2, TaskHubHost.PageSize - 1);
        Assert.Empty(scheduler.Holders); // the page gave every slot back when it ended
    }
}
