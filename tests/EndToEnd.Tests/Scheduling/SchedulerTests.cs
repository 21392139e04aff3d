using System.Net;
using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;
using Serverless.EndToEnd.Tests.Tenants;
using Serverless.Jobs.Tenancy;

namespace Serverless.EndToEnd.Tests.Scheduling;

/// <summary>
/// The scheduler on a real host (the JobScheduler entity in the task hub): a high-priority job
/// passes a low one that holds the slots, a tenant's running-jobs quota holds a job back with its
/// reason and its queued-jobs limit answers 429, an admin changes a running job's priority, and the
/// images-per-job limit stops a job saying so. Ordering is asserted, never a speed.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class SchedulerTests(JobStack stack) : IAsyncLifetime
{
    private readonly string hub = "Sched" + Guid.NewGuid().ToString("N")[..6];
    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("all", stack.HostEnvironment(hub, new Dictionary<string, string>
    {
        // Two units queued or running at once, of 4 images: a job of hundreds of images holds every slot for a while.
        ["scheduling__slots"] = "2",
        ["batchInference__imagesPerTask"] = "4",
        [TenantStore.ReloadSetting.Replace(":", "__")] = "0.5",
    }));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    private string Source(string prefix) => $"s3://{JobStack.Bucket}/{prefix}";

    private const int LowImages = 1000;

    [Fact]
    public async Task A_high_priority_job_submitted_behind_a_low_one_that_holds_the_slots_finishes_first()
    {
        var low = "sched-low-" + hub + "/";
        var high = "sched-high-" + hub + "/";
        // 1,000 images: with 400 the low job's units (each one of a trivial model) once all ended, in the slot
        // quantum before it heard of the high job, while the high job was still being listed and merged.
        await stack.UploadSyntheticImagesAsync(low, LowImages, seed: 81);
        await stack.UploadSyntheticImagesAsync(high, 8, seed: 82);
        using var jobs = new JobsHttp(host!.BaseUrl);

        var lowId = await jobs.SubmitAsync(new { source = Source(low), model = stack.DominantColor, batchSize = 4, priority = "low", output = Source("results/" + low) });
        await WaitUntilAsync(jobs, lowId, s => Done(s) > 0);
        var highId = await jobs.SubmitAsync(new { source = Source(high), model = stack.DominantColor, batchSize = 4, priority = "high", output = Source("results/" + high) });

        var highDone = await jobs.WaitAsync(highId, TimeSpan.FromMinutes(3), () => host.OutputTail);
        var lowAtThatMoment = await StatusAsync(jobs, lowId);
        var lowDone = await jobs.WaitAsync(lowId, TimeSpan.FromMinutes(5), () => host.OutputTail);

        Assert.Equal("Completed", highDone.GetProperty("runtimeStatus").GetString());
        Assert.Equal("Completed", lowDone.GetProperty("runtimeStatus").GetString());
        Assert.Equal(8, highDone.GetProperty("output").GetProperty("images").GetInt64());
        Assert.Equal(LowImages, lowDone.GetProperty("output").GetProperty("images").GetInt64());
        // The low job was still running when the high one ended: the high one did not wait for its 250 units.
        Assert.Equal("Running", lowAtThatMoment.GetProperty("runtimeStatus").GetString());
        Assert.True(Done(lowAtThatMoment) < LowImages, $"the low job had done {Done(lowAtThatMoment)} of {LowImages} when the high one ended");
        Assert.Equal("high", highDone.GetProperty("customStatus").GetProperty("priority").GetString());

        // Nothing holds a slot once both ended.
        using var admin = new JobsHttp(host.BaseUrl);
        var scheduler = JsonSerializer.Deserialize<JsonElement>(await (await admin.GetAsync("api/scheduler")).Content.ReadAsStringAsync());
        Assert.Empty(scheduler.GetProperty("holders").EnumerateArray());
        Assert.Equal(2, scheduler.GetProperty("slots").GetInt32());
    }

    [Fact]
    public async Task A_terminated_job_gives_its_slots_to_the_job_waiting_for_them()
    {
        var big = "sched-term-big-" + hub + "/";
        var small = "sched-term-small-" + hub + "/";
        await stack.UploadSyntheticImagesAsync(big, 400, seed: 86);
        await stack.UploadSyntheticImagesAsync(small, 8, seed: 87);
        using var jobs = new JobsHttp(host!.BaseUrl);
        var highId = await jobs.SubmitAsync(new { source = Source(big), model = stack.DominantColor, batchSize = 4, priority = "high", output = Source("results/" + big) });
        await WaitUntilAsync(jobs, highId, s => Done(s) > 0);
        var lowId = await jobs.SubmitAsync(new { source = Source(small), model = stack.DominantColor, batchSize = 4, priority = "low", output = Source("results/" + small) });
        var waiting = await WaitUntilAsync(jobs, lowId, s => Custom(s, "waiting") is not null);
        Assert.Contains("high-priority work runs", Custom(waiting, "waiting"), StringComparison.Ordinal);

        // Terminated, the high job runs no more code: the scheduler hears of it from the terminate, not in 20 minutes.
        using (var terminate = await jobs.PostJsonAsync($"api/jobs/{highId}/terminate?reason=test", new { }))
            Assert.Equal(HttpStatusCode.Accepted, terminate.StatusCode);
        var lowDone = await jobs.WaitAsync(lowId, TimeSpan.FromMinutes(2), () => host.OutputTail);
        Assert.Equal("Completed", lowDone.GetProperty("runtimeStatus").GetString());
        Assert.Equal(8, lowDone.GetProperty("output").GetProperty("images").GetInt64());
    }

    [Fact]
    public async Task Over_its_running_jobs_quota_a_tenants_job_waits_with_the_reason_and_over_its_queued_limit_a_submission_is_429()
    {
        var prefix = "sched-quota-" + hub + "/";
        await stack.UploadSyntheticImagesAsync(prefix, 120, seed: 83);
        using var admin = new JobsHttp(host!.BaseUrl);
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await admin.SendAsync(TenantAdminTests.Put("api/tenants/quota-a", new
        {
            allowSources = new[] { Source("*") }, allowOutputs = new[] { Source("*") }, maxRunningJobs = 1, maxQueuedJobs = 1,
        })));
        var key = await TenantAdminTests.CreateKeyAsync(admin, "quota-a", "submitter");
        await Task.Delay(TimeSpan.FromSeconds(1)); // the host's tenants reload (0.5 s)
        using var team = new JobsHttp(host.BaseUrl, key.Secret);
        object Job(string name) => new { source = Source(prefix), model = stack.DominantColor, batchSize = 4, output = Source($"results/{prefix}{name}") };

        var a = await team.SubmitAsync(Job("a"));
        var b = await team.SubmitAsync(Job("b"));
        // Whichever asks the scheduler first runs; the other waits, saying why.
        var (first, second) = await WhichWaitsAsync(team, a, b);
        var waiting = await StatusAsync(team, second);
        Assert.Equal("tenant quota-a runs 1 of its 1 jobs (maxRunningJobs); this job starts when one ends", Custom(waiting, "waiting"));
        Assert.Equal("Running", (await StatusAsync(team, first)).GetProperty("runtimeStatus").GetString());

        // One waits already: the tenant's queued-jobs limit refuses a third until one starts.
        using var refused = await team.PostJsonAsync("api/jobs", Job("third"));
        Assert.Contains("maxQueuedJobs", await TenantAdminTests.AssertStatusAsync(HttpStatusCode.TooManyRequests, refused), StringComparison.Ordinal);
        Assert.Equal("30", refused.Headers.GetValues("Retry-After").Single());

        var firstDone = await team.WaitAsync(first, TimeSpan.FromMinutes(4), () => host.OutputTail);
        var secondDone = await team.WaitAsync(second, TimeSpan.FromMinutes(4), () => host.OutputTail);
        Assert.Equal("Completed", firstDone.GetProperty("runtimeStatus").GetString());
        Assert.Equal("Completed", secondDone.GetProperty("runtimeStatus").GetString());
        Assert.Equal(120, secondDone.GetProperty("output").GetProperty("images").GetInt64());
        // The second began classifying only after the first had ended.
        Assert.True(secondDone.GetProperty("customStatus").GetProperty("startedAt").GetDateTime() >= firstDone.GetProperty("lastUpdatedTime").GetDateTime().AddSeconds(-1));
    }

    [Fact]
    public async Task An_admin_changes_a_running_jobs_priority_and_bad_changes_are_clear_errors()
    {
        var prefix = "sched-prio-" + hub + "/";
        await stack.UploadSyntheticImagesAsync(prefix, 200, seed: 84);
        using var admin = new JobsHttp(host!.BaseUrl);
        var id = await admin.SubmitAsync(new { source = Source(prefix), model = stack.DominantColor, batchSize = 4, output = Source("results/" + prefix) });
        await WaitUntilAsync(admin, id, s => Done(s) > 0);

        Assert.Contains("priority", await TenantAdminTests.AssertStatusAsync(HttpStatusCode.BadRequest, await admin.PostJsonAsync($"api/jobs/{id}/priority", new { priority = "urgent" })),
            StringComparison.Ordinal);
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.BadRequest, await admin.PostRawAsync($"api/jobs/{id}/priority", "{not json"));
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.NotFound, await admin.PostJsonAsync("api/jobs/no-such-job/priority", new { priority = "low" }));
        using (var functionKey = new JobsHttp(host.BaseUrl, JobStack.FunctionKey))
            await TenantAdminTests.AssertStatusAsync(HttpStatusCode.Forbidden, await functionKey.PostJsonAsync($"api/jobs/{id}/priority", new { priority = "high" }));

        // Raised, then lowered with the CLI while it runs, alone on the host: it still gets every slot and ends.
        var changed = await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await admin.PostJsonAsync($"api/jobs/{id}/priority", new { priority = "high" }));
        Assert.Equal("high", JsonSerializer.Deserialize<JsonElement>(changed).GetProperty("priority").GetString());
        var cli = await HostProcess.RunCliAsync(["priority", id, "low", "--url", host.BaseUrl.ToString(), "--key", JobStack.MasterKey]);
        Assert.Equal((0, $"job {id} priority=low"), (cli.ExitCode, cli.StdOut.Trim()));
        await WaitUntilAsync(admin, id, s => Custom(s, "priority") == "low" || s.GetProperty("runtimeStatus").GetString() == "Completed");
        var done = await admin.WaitAsync(id, TimeSpan.FromMinutes(4), () => host.OutputTail);
        Assert.Equal("Completed", done.GetProperty("runtimeStatus").GetString());
        Assert.Equal(200, done.GetProperty("output").GetProperty("images").GetInt64());
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.Conflict, await admin.PostJsonAsync($"api/jobs/{id}/priority", new { priority = "high" }));
    }

    [Fact]
    public async Task A_job_over_its_tenants_images_per_job_limit_stops_saying_so_and_bad_quotas_are_400()
    {
        var prefix = "sched-images-" + hub + "/";
        await stack.UploadSyntheticImagesAsync(prefix, 30, seed: 85);
        using var admin = new JobsHttp(host!.BaseUrl);
        foreach (var bad in new object[]
                 {
                     new { allowSources = new[] { Source("*") }, allowOutputs = new[] { Source("*") }, weight = 0 },
                     new { allowSources = new[] { Source("*") }, allowOutputs = new[] { Source("*") }, maxUnits = 0 },
                     new { allowSources = new[] { Source("*") }, allowOutputs = new[] { Source("*") }, maxImagesPerJob = -1 },
                 })
            await TenantAdminTests.AssertStatusAsync(HttpStatusCode.BadRequest, await admin.SendAsync(TenantAdminTests.Put("api/tenants/images-a", bad)));
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await admin.SendAsync(TenantAdminTests.Put("api/tenants/images-a", new
        {
            allowSources = new[] { Source("*") }, allowOutputs = new[] { Source("*") }, maxImagesPerJob = 10, weight = 3,
        })));
        var key = await TenantAdminTests.CreateKeyAsync(admin, "images-a", "submitter");
        await Task.Delay(TimeSpan.FromSeconds(1));
        using var team = new JobsHttp(host.BaseUrl, key.Secret);
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.BadRequest, await team.PostJsonAsync("api/jobs", new { source = Source(prefix), model = stack.DominantColor, priority = "urgent" }));

        var id = await team.SubmitAsync(new { source = Source(prefix), model = stack.DominantColor, output = Source("results/" + prefix) });
        var done = await team.WaitAsync(id, TimeSpan.FromMinutes(3), () => host.OutputTail);
        Assert.Equal("Failed", done.GetProperty("runtimeStatus").GetString());
        var output = done.GetProperty("failureDetails").GetProperty("errorMessage").GetString();
        Assert.Contains("more than 10 images", output, StringComparison.Ordinal);
        Assert.Contains("maxImagesPerJob", output, StringComparison.Ordinal);
        Assert.Contains("30 listed images were left unclassified", output, StringComparison.Ordinal);
    }

    private async Task<(string Running, string Waiting)> WhichWaitsAsync(JobsHttp jobs, string a, string b)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (Custom(await StatusAsync(jobs, a), "phase") == "waiting")
                return (b, a);
            if (Custom(await StatusAsync(jobs, b), "phase") == "waiting")
                return (a, b);
            await Task.Delay(200);
        }
        throw new TimeoutException($"neither {a} nor {b} waited for the tenant's quota\n{host!.OutputTail}");
    }

    private static long Done(JsonElement status) =>
        status.TryGetProperty("customStatus", out var custom) && custom.ValueKind == JsonValueKind.Object && custom.TryGetProperty("done", out var done) ? done.GetInt64() : 0;

    private static string? Custom(JsonElement status, string field) =>
        status.TryGetProperty("customStatus", out var custom) && custom.ValueKind == JsonValueKind.Object && custom.TryGetProperty(field, out var value)
            && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task<JsonElement> StatusAsync(JobsHttp jobs, string id)
    {
        using var response = await jobs.GetAsync($"api/jobs/{id}");
        return JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> WaitUntilAsync(JobsHttp jobs, string id, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        var status = default(JsonElement);
        while (DateTime.UtcNow < deadline)
        {
            status = await StatusAsync(jobs, id);
            if (condition(status))
                return status;
            await Task.Delay(200);
        }
        throw new TimeoutException($"job {id} never reached the expected state; its last status: {status}\n{host!.OutputTail}");
    }
}
