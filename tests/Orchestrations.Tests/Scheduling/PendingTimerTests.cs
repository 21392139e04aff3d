using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Tenancy;
using Serverless.Orchestrations.Tests.Support;

namespace Serverless.Orchestrations.Tests.Scheduling;

/// <summary>
/// A page that found every slot taken when it started sets a poll timer; the slots then come as
/// handovers, and the page can end before the poll is due. A job waiting for its tenant's quota
/// polls too, and is told when it may start. Neither completion may wait for such a timer (the
/// framework completes an orchestration only once its timers fired or were cancelled): the job,
/// waiting on the page, would sit up to a poll interval (4 s) with nothing to do, and a job let in
/// up to 15 s. On a host of its own, with two slots that the job's first page takes.
/// </summary>
public sealed class PendingTimerTests : IAsyncLifetime
{
    private readonly TaskHubHost hub = new(new Dictionary<string, string>
    {
        ["batchInference:imagesPerTask"] = "1",
        ["batchInference:maxBatchesInFlight"] = "2",
        ["scheduling:slots"] = "2",
    });

    public Task InitializeAsync() => hub.InitializeAsync();

    public Task DisposeAsync() => hub.DisposeAsync();

    [Fact]
    public async Task A_page_that_polled_for_slots_completes_without_waiting_for_its_poll()
    {
        // Two pages of one-image units: the second starts while the first holds both slots.
        var source = hub.WriteImages("pending-poll", 2 * TaskHubHost.PageSize, seed: 97);
        var id = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = Path.Combine(hub.Root, "out-pending-poll") });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(id)).RuntimeStatus);
        foreach (var page in new[] { 0, 1 })
        {
            var episode = await TaskHubHistory.CompletingEpisodeAsync(hub.Azurite.ConnectionString, hub.HubName, PageIds.For(id, page));
            Assert.Contains("ExecutionCompleted", episode);
            Assert.DoesNotContain("TimerFired", episode);
        }
    }

    [Fact]
    public async Task A_job_let_in_after_waiting_for_its_tenants_quota_completes_without_waiting_for_its_poll()
    {
        await hub.Services.GetRequiredService<TenantAdministration>().SetTenantAsync(
            new Tenant("timer-team", [hub.Root + "/*"], [hub.Root + "/*"], null) { MaxRunningJobs = 1 }, CancellationToken.None);
        var team = CallerIdentity.ForTenant("timer-team", TenantRole.Submitter, "timer-key");
        // A runs for seconds (48 one-image units on two slots); B, of one image, waits for it, polling at 1, 2, 4, 8 s:
        // let in, B ends long before the poll then pending would fire.
        var a = await SubmitAsync(team, hub.WriteImages("quota-a", 48, seed: 98), "out-quota-a");
        await WaitUntilAsync(a, status => status.Contains("\"phase\":\"classifying\"", StringComparison.Ordinal));
        var b = await SubmitAsync(team, hub.WriteImages("quota-b", 1, seed: 99), "out-quota-b");
        await WaitUntilAsync(b, status => status.Contains("maxRunningJobs", StringComparison.Ordinal));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(a)).RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(b)).RuntimeStatus);
        var episode = await TaskHubHistory.CompletingEpisodeAsync(hub.Azurite.ConnectionString, hub.HubName, b);
        Assert.Contains("ExecutionCompleted", episode);
        Assert.DoesNotContain("TimerFired", episode);
    }

    private Task<string> SubmitAsync(CallerIdentity caller, string source, string output) =>
        hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = Path.Combine(hub.Root, output) }, caller);

    private async Task WaitUntilAsync(string id, Func<string, bool> customStatus)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var instance = await hub.Client.GetInstanceAsync(id, getInputsAndOutputs: true, cancel.Token);
            if (instance?.SerializedCustomStatus is { } status && customStatus(status))
                return;
            await Task.Delay(50, cancel.Token);
        }
    }
}
