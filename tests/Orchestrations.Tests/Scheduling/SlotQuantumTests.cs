using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Scheduling;
using Serverless.Orchestrations.Tests.Support;

namespace Serverless.Orchestrations.Tests.Scheduling;

/// <summary>
/// A page whose units are short runs its next unit on the slot a finished one freed without asking the
/// scheduler, while the scheduler answered it less than a quantum ago: fewer grants than units; and a
/// job runs no more pages than the slots fill. On a host of its own, so no other test's job adds to the
/// scheduler's count of grants.
/// </summary>
public sealed class SlotQuantumTests : IAsyncLifetime
{
    // One page of eight one-image units, two at a time: eight grants if every unit asked for its slot.
    private readonly TaskHubHost hub = new(new Dictionary<string, string>
    {
        ["batchInference:imagesPerTask"] = "1",
        ["batchInference:maxBatchesInFlight"] = "2",
        ["batchInference:maxUnitsInFlight"] = "2",
        ["scheduling:slots"] = "4",
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

    [Fact]
    public async Task A_job_asking_for_more_units_than_the_slots_runs_only_the_pages_they_fill_and_one_more()
    {
        var source = hub.WriteImages("pages-in-flight", 2, seed: 96);

        var id = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = Path.Combine(hub.Root, "out-pages"), MaxUnitsInFlight = 64 });

        var input = (await hub.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!.SerializedInput!;
        var spec = System.Text.Json.JsonSerializer.Deserialize<JobState>(input, BatchJson.Options)!.Spec;
        Assert.Equal(3, spec.PagesInFlight); // 4 slots over pages of 2 units at a time, and one more: not the 32 that 64 units would take
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(id)).RuntimeStatus);
    }
}
