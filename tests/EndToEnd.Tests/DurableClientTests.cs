using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// Microsoft's own Durable Functions client (the npm <c>durable-functions</c> package's
/// DurableClient, built from the binding data as the extension builds it) against `serverless host`:
/// startNew, status with history, list, rewind, events, terminate, purge by id and by filter answer
/// as the extension does. The client runs in node (DurableClient/durable-client.cjs); the test reads
/// what each call answered.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class DurableClientTests(JobStack stack, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string Hub = "NpmClient";
    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("all", stack.HostEnvironment(Hub));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    [Fact]
    public async Task The_npm_DurableClient_starts_reads_lists_rewinds_and_purges_jobs_as_against_Durable_Functions()
    {
        await stack.UploadSyntheticImagesAsync("npm-good/", 12, seed: 71);
        using (var folder = new TempDir("npm-bad"))
        {
            BadFiles.Write(folder.Path, Directory.GetFiles(RepoPaths.ImagenetSample200).Order().First());
            await stack.UploadFolderAsync(folder.Path, $"s3://{JobStack.Bucket}/npm-bad/");
        }
        var run = Guid.NewGuid().ToString("N")[..8];
        var result = await RunClientAsync(run,
            new { source = $"s3://{JobStack.Bucket}/npm-good/", model = stack.DominantColor, batchSize = 4, output = $"s3://{JobStack.Bucket}/results/npm-good-{run}" },
            new { source = $"s3://{JobStack.Bucket}/npm-bad/", model = stack.DominantColor, maxFailedImages = 1, output = $"s3://{JobStack.Bucket}/results/npm-bad-{run}" });
        string Field(string name) => result.GetProperty(name).ToString();

        // startNew: 202 with the management payload, the id the client chose; an unknown orchestrator is refused.
        Assert.Equal($"npm-good-{run}", result.GetProperty("startNew").GetProperty("value").GetString());
        Assert.True(result.GetProperty("startNewOther").GetProperty("ok").GetBoolean(), Field("startNewOther"));
        Assert.False(result.GetProperty("startNewUnknown").GetProperty("ok").GetBoolean(), Field("startNewUnknown"));
        Assert.Equal("Completed", result.GetProperty("completed").GetString());

        // History as the extension shapes it.
        Assert.Equal("Completed", result.GetProperty("historyStatus").GetString());
        var history = result.GetProperty("history").EnumerateArray().ToList();
        Assert.All(history, e => Assert.True(e.TryGetProperty("EventType", out _) && e.TryGetProperty("Timestamp", out _), e.ToString()));
        var types = history.Select(e => e.GetProperty("EventType").GetString()).ToList();
        Assert.DoesNotContain("OrchestratorStarted", types);
        Assert.DoesNotContain("OrchestratorCompleted", types);
        Assert.Equal("ExecutionStarted", types[0]);
        Assert.Equal("BatchInferenceJob", history[0].GetProperty("FunctionName").GetString());
        var task = history.First(e => e.GetProperty("EventType").GetString() == "TaskCompleted");
        Assert.True(task.TryGetProperty("FunctionName", out _) && task.TryGetProperty("ScheduledTime", out _) && task.TryGetProperty("Result", out _), task.ToString());
        Assert.DoesNotContain("TaskScheduled", types);
        var completed = history.Single(e => e.GetProperty("EventType").GetString() == "ExecutionCompleted");
        Assert.Equal("Completed", completed.GetProperty("OrchestrationStatus").GetString());
        Assert.Equal(12, completed.GetProperty("Result").GetProperty("images").GetInt64());

        // The list includes inputs and outputs; the filtered list finds the job.
        var listed = Assert.Single(result.GetProperty("listed").EnumerateArray());
        Assert.Equal(JsonValueKind.Object, listed.GetProperty("input").ValueKind);
        Assert.Equal(JsonValueKind.Object, listed.GetProperty("output").ValueKind);
        Assert.Contains($"npm-good-{run}", result.GetProperty("listedBy").EnumerateArray().Select(e => e.GetString()));

        // Rewind: a failed job 202, another 412; an event to an ended job 410 (the client resolves); an unknown terminate 404.
        Assert.Equal("Failed", result.GetProperty("failed").GetString());
        Assert.True(result.GetProperty("rewind").GetProperty("ok").GetBoolean(), Field("rewind"));
        Assert.False(result.GetProperty("rewindCompleted").GetProperty("ok").GetBoolean());
        Assert.True(result.GetProperty("raiseEventEnded").GetProperty("ok").GetBoolean(), Field("raiseEventEnded"));
        Assert.False(result.GetProperty("terminateUnknown").GetProperty("ok").GetBoolean());

        // Purge by filter: 200 with the count, then nothing left (404, which the client reads as 0).
        Assert.True(result.GetProperty("purgeBy").GetProperty("value").GetProperty("instancesDeleted").GetInt32() >= 2, Field("purgeBy"));
        Assert.False(result.GetProperty("afterPurge").GetProperty("ok").GetBoolean());
        Assert.Equal(0, result.GetProperty("purgeByNothing").GetProperty("value").GetProperty("instancesDeleted").GetInt32());
    }

    [Fact]
    public async Task A_running_job_answers_202_with_an_absolute_Location_and_its_purge_and_rewind_412()
    {
        await stack.UploadSyntheticImagesAsync("npm-running/", 300, seed: 73);
        using var jobs = new JobsHttp(host!.BaseUrl);
        var id = await jobs.SubmitAsync(new { source = $"s3://{JobStack.Bucket}/npm-running/", model = stack.DominantColor, batchSize = 1 });
        var path = $"runtime/webhooks/durabletask/instances/{id}?showInput=false";
        using (var running = await jobs.GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.Accepted, running.StatusCode);
            Assert.Equal(new Uri(host.BaseUrl, path), running.Headers.Location);
        }
        using (var purge = await jobs.DeleteAsync($"runtime/webhooks/durabletask/instances/{id}"))
            Assert.Equal(HttpStatusCode.PreconditionFailed, purge.StatusCode);
        using (var rewind = await jobs.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"runtime/webhooks/durabletask/instances/{id}/rewind")))
            Assert.Equal(HttpStatusCode.PreconditionFailed, rewind.StatusCode);
        using (var noFrom = await jobs.DeleteAsync("runtime/webhooks/durabletask/instances/?runtimeStatus=Completed"))
            Assert.Equal(HttpStatusCode.BadRequest, noFrom.StatusCode);
        using var terminate = await jobs.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"runtime/webhooks/durabletask/instances/{id}/terminate"));
        Assert.Equal(HttpStatusCode.Accepted, terminate.StatusCode);
    }

    private async Task<JsonElement> RunClientAsync(string run, object good, object bad)
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "EndToEnd.Tests", "DurableClient", "durable-client.cjs");
        var psi = new ProcessStartInfo("node", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["NODE_PATH"] = RepoPaths.NodeModules;
        psi.Environment["BASE_URL"] = host!.BaseUrl.ToString();
        psi.Environment["KEY"] = JobStack.MasterKey;
        psi.Environment["HUB"] = Hub;
        psi.Environment["RUN"] = run;
        psi.Environment["ORCHESTRATOR"] = Serverless.BatchInference.Contracts.ActivityNames.BatchJob;
        psi.Environment["GOOD_INPUT"] = JsonSerializer.Serialize(good);
        psi.Environment["BAD_INPUT"] = JsonSerializer.Serialize(bad);
        using var node = Process.Start(psi)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await node.WaitForExitAsync(timeout.Token);
        Assert.True(node.ExitCode == 0, $"node: {await stderr}\n{host.OutputTail}");
        output.WriteLine(await stdout);
        return JsonSerializer.Deserialize<JsonElement>(await stdout);
    }
}
