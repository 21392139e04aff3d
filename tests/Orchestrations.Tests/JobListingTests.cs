using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Jobs;
using Serverless.BatchInference.Contracts;
using Serverless.Orchestrations.Tests.Support;

namespace Serverless.Orchestrations.Tests;

/// <summary>The job list: newest first, full pages while jobs remain (page sub-orchestrations share the hub), without inputs or outputs.</summary>
[Collection(TaskHubCollection.Name)]
public sealed class JobListingTests(TaskHubHost hub)
{
    [Fact]
    public async Task Jobs_are_listed_newest_first_in_full_pages_that_follow_each_other()
    {
        var source = hub.WriteImages("listing", 3, seed: 47);
        var tag = Guid.NewGuid().ToString("N")[..6];
        var ids = new List<string>();
        for (var i = 0; i < 11; i++)
            ids.Add(await hub.SubmitAsync(new JobRequest { Id = $"list-{tag}-{i:D2}", Source = source, Model = hub.Model, BatchSize = 1, Output = Path.Combine(hub.Root, $"out-list-{tag}-{i}") }));
        foreach (var id in ids)
            await hub.WaitAsync(id);
        var listing = hub.Services.GetRequiredService<JobListing>();

        var seen = new List<JobStatusResponse>();
        var sizes = new List<int>();
        string? token = null;
        do
        {
            var (page, next) = await listing.ListAsync(hub.Client, new JobQuery { Statuses = [OrchestrationRuntimeStatus.Completed], Top = 4, ContinuationToken = token }, default);
            sizes.Add(page.Count);
            seen.AddRange(page);
            token = next;
        }
        while (token is not null);

        // Other tests' jobs share the hub and are older: ours come first, newest first.
        var ours = seen.Where(j => j.InstanceId.Contains(tag, StringComparison.Ordinal)).Select(j => j.InstanceId).ToList();
        Assert.Equal(Enumerable.Reverse(ids), ours);
        Assert.Equal(ids.AsEnumerable().Reverse(), seen.Take(11).Select(j => j.InstanceId));
        Assert.All(sizes.SkipLast(1), size => Assert.Equal(4, size));
        Assert.InRange(sizes[^1], 1, 4);
        Assert.DoesNotContain(seen, j => PageIds.IsPage(j.InstanceId));
        // Neither the inputs nor the outputs of a hundred jobs are read to list them.
        Assert.All(seen, j => Assert.Null(j.Input));
        Assert.All(seen, j => Assert.Null(j.Output));
    }

    [Fact]
    public async Task A_purged_job_leaves_the_list()
    {
        var source = hub.WriteImages("listing-purge", 1, seed: 53);
        var id = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = Path.Combine(hub.Root, "out-list-purge") });
        await hub.WaitAsync(id);
        var listing = hub.Services.GetRequiredService<JobListing>();
        Assert.Equal(id, (await listing.ListAsync(hub.Client, new JobQuery { Top = 1 }, default)).Jobs.Single().InstanceId);

        await hub.Management.PurgeAsync(hub.Client, id, default);

        Assert.NotEqual(id, (await listing.ListAsync(hub.Client, new JobQuery { Top = 1 }, default)).Jobs.FirstOrDefault()?.InstanceId);
    }

    [Fact]
    public async Task The_filters_every_route_uses_select_by_id_prefix_and_created_time_with_inputs_when_asked_and_pages_are_numbered()
    {
        var source = hub.WriteImages("listing-filter", 1, seed: 57);
        var prefix = $"filter-{Guid.NewGuid().ToString("N")[..6]}-";
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add(await hub.SubmitAsync(new JobRequest { Id = prefix + i, Source = source, Model = hub.Model, Output = Path.Combine(hub.Root, $"out-{prefix}{i}") }));
        var created = new List<DateTimeOffset>();
        foreach (var id in ids)
            created.Add((await hub.WaitAsync(id)).CreatedAt);
        var listing = hub.Services.GetRequiredService<JobListing>();

        var all = await listing.ListAsync(hub.Client, new JobQuery { InstanceIdPrefix = prefix, WithInputs = true }, default);
        Assert.Equal(Enumerable.Reverse(ids), all.Jobs.Select(j => j.InstanceId));
        Assert.Null(all.ContinuationToken);
        Assert.All(all.Jobs, j => Assert.NotNull(j.Input));
        Assert.All(all.Jobs, j => Assert.NotNull(j.Output));

        var middle = await listing.ListAsync(hub.Client, new JobQuery { InstanceIdPrefix = prefix, CreatedFrom = created[1], CreatedTo = created[1] }, default);
        Assert.Equal(ids[1], Assert.Single(middle.Jobs).InstanceId);
        var since = await listing.ListAsync(hub.Client, new JobQuery { InstanceIdPrefix = prefix, CreatedFrom = created[1] }, default);
        Assert.Equal([ids[2], ids[1]], since.Jobs.Select(j => j.InstanceId));

        var (second, more) = await listing.PageAsync(hub.Client, new JobQuery { InstanceIdPrefix = prefix }, 1, 1, default);
        Assert.Equal(ids[1], Assert.Single(second).InstanceId);
        Assert.True(more);
        var (third, noMore) = await listing.PageAsync(hub.Client, new JobQuery { InstanceIdPrefix = prefix }, 2, 1, default);
        Assert.Equal(ids[0], Assert.Single(third).InstanceId);
        Assert.False(noMore);
    }
}
