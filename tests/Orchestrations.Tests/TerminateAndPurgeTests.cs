using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Orchestrations.Tests.Support;

namespace Serverless.Orchestrations.Tests;

/// <summary>Terminate and purge of a job reach its page sub-orchestrations, which DTFx's own calls leave behind.</summary>
[Collection(TaskHubCollection.Name)]
public sealed class TerminateAndPurgeTests(TaskHubHost hub)
{
    [Fact]
    public async Task Terminate_stops_the_job_and_its_running_pages_and_purge_deletes_them_all()
    {
        var source = hub.WriteImages("terminate", 200, seed: 17);
        var id = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, BatchSize = 1, Output = Path.Combine(hub.Root, "out-terminate") });
        // Wait until the first batch has begun (its attempt row exists) and its page runs.
        await WaitUntilAsync(async () => await hub.Attempts.ReadAsync(id, PartNames.For(0, 0), CancellationToken.None) is not null
            && (await PagesAsync(id, OrchestrationRuntimeStatus.Running)).Count > 0);
        await Assert.ThrowsAsync<InvalidOperationException>(() => hub.Management.PurgeAsync(hub.Client, id, CancellationToken.None));

        await hub.Management.TerminateAsync(hub.Client, id, "stop", CancellationToken.None);

        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await hub.WaitAsync(id)).RuntimeStatus);
        await WaitUntilAsync(async () => (await PagesAsync(id, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending)).Count == 0);
        var pages = await PagesAsync(id);
        Assert.NotEmpty(pages);
        Assert.Contains(pages, p => p.RuntimeStatus == OrchestrationRuntimeStatus.Terminated);
        Assert.NotNull(await hub.Attempts.ReadAsync(id, PartNames.For(0, 0), CancellationToken.None));

        var deleted = await hub.Management.PurgeAsync(hub.Client, id, CancellationToken.None);

        // At least every page and the job; a page written back by a late batch result is purged again.
        Assert.True(deleted >= pages.Count + 1, $"{deleted} deleted, {pages.Count} pages");
        Assert.Null(await hub.Client.GetInstanceAsync(id));
        Assert.Empty(await PagesAsync(id));
        Assert.Null(await hub.Attempts.ReadAsync(id, PartNames.For(0, 0), CancellationToken.None));
        Assert.Equal(0, await hub.Management.PurgeAsync(hub.Client, id, CancellationToken.None));
    }

    [Fact]
    public void Page_ids_never_share_a_prefix_with_a_job_id()
    {
        var page = PageIds.For("job-1", 3);
        Assert.StartsWith(PageIds.PrefixOf("job-1"), page);
        Assert.DoesNotContain(PageIds.PrefixOf("job-1"), PageIds.For("job-10", 0));
        Assert.True(PageIds.IsPage(page));
        // A job id cannot start with the page marker, so no prefix of job ids matches a page.
        var errors = JobRequestValidator.Validate(new JobRequest { Id = page, Source = "s3://b/p", Model = "m.onnx" }, new JobDefaults(), () => "x", (_, _) => "o", out _);
        Assert.Contains("id", errors.Keys);
    }

    private async Task<List<OrchestrationMetadata>> PagesAsync(string jobId, params OrchestrationRuntimeStatus[] statuses)
    {
        var pages = new List<OrchestrationMetadata>();
        var query = new OrchestrationQuery { InstanceIdPrefix = PageIds.PrefixOf(jobId), Statuses = statuses.Length > 0 ? statuses : null };
        await foreach (var page in hub.Client.GetAllInstancesAsync(query))
            pages.Add(page);
        return pages;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(100);
        }
    }
}
