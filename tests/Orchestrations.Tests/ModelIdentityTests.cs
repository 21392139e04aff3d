using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Activities;
using Serverless.BatchInference.Contracts;
using Serverless.ModelZoo;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// A job pins the SHA-256 of its model file when it starts: summary.json, the job's status and
/// every row carry it as <c>modelSha256</c>, and a model file replaced during the job fails the job
/// with an error naming both hashes instead of classifying the rest with other bytes.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class ModelIdentityTests(TaskHubHost hub)
{
    [Fact]
    public async Task The_models_sha256_is_in_the_summary_the_status_and_every_row()
    {
        var source = hub.WriteImages("sha-" + Guid.NewGuid().ToString("N")[..6], 10, seed: 83);
        var output = Path.Combine(hub.Root, "out-" + Path.GetFileName(source));
        var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(hub.Model)));

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = output }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(sha, done.ReadOutputAs<JobOutput>()!.ModelSha256);
        Assert.Equal(sha, done.ReadCustomStatusAs<JobProgress>()!.ModelSha256);
        using var summary = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output, ResultWriter.SummaryName)));
        Assert.Equal(sha, summary.RootElement.GetProperty("modelSha256").GetString());
        var rows = await hub.ReadPredictionsAsync(output);
        Assert.Equal(10, rows.Count);
        Assert.All(rows, r => Assert.Equal(sha, r.ModelSha256));
        Assert.Contains($"\"modelSha256\":\"{sha}\"", await File.ReadAllTextAsync(Path.Combine(output, "predictions.jsonl")));
    }

    [Fact]
    public async Task A_model_replaced_during_the_job_fails_its_next_unit_naming_both_hashes()
    {
        var id = "pin-" + Guid.NewGuid().ToString("N")[..6];
        var model = Path.Combine(hub.Root, "models", id + ".onnx");
        ModelZooWriter.Write("dominant-color", model);
        var source = hub.WriteImages(id, 6, seed: 85);
        var job = new JobSpec(id, source, model, null, BatchSize: 4, PageSize: 8, MaxBatchesInFlight: 4, Path.Combine(hub.Root, "out-" + id), "jsonl", 5, null, null);
        var check = await Activity<CheckModelActivity>().RunAsync(Context.Instance, new CheckModelInput(model, null, 4));
        job = job with { ModelSha256 = check.ModelSha256 };
        await Activity<ListSourcePageActivity>().RunAsync(Context.Instance, new ListPageInput(job, 0));
        var first = await Activity<ClassifyBatchActivity>().RunAsync(Context.Instance, new ClassifyBatchInput(job, PartNames.For(0, 0), 0, 0, 3));
        Assert.Equal(3, first.Images);

        // Replaced by other bytes (a later write time, another length): the next unit must not use them.
        await File.AppendAllTextAsync(model, "\n");
        File.SetLastWriteTimeUtc(model, DateTime.UtcNow.AddMinutes(1));
        var error = await Assert.ThrowsAsync<JobConfigurationException>(() =>
            Activity<ClassifyBatchActivity>().RunAsync(Context.Instance, new ClassifyBatchInput(job, PartNames.For(0, 1), 0, 3, 3)));

        Assert.Contains("was replaced while job " + id, error.Message);
        Assert.Contains(check.ModelSha256, error.Message);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(model))), error.Message);
    }

    private T Activity<T>() where T : notnull => hub.Services.GetRequiredService<T>();

    private sealed class Context : TaskActivityContext
    {
        public static Context Instance { get; } = new();
        public override TaskName Name => "test";
        public override string InstanceId => "test";
    }
}
