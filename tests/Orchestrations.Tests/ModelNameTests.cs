using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// A job's model is kept and shown as it was named, relative to the models root: the status input,
/// summary.json and the dashboard's data never carry the host's path (each worker resolves the name
/// against its own models root).
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class ModelNameTests(TaskHubHost hub)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_job_shows_its_model_relative_to_the_models_root_never_the_hosts_path(bool submittedAbsolute)
    {
        var source = hub.WriteImages("name-" + Guid.NewGuid().ToString("N")[..6], 3, seed: 91);
        var output = Path.Combine(hub.Root, "out-" + Path.GetFileName(source));

        var id = await hub.SubmitAsync(new JobRequest { Source = source, Model = submittedAbsolute ? hub.Model : "models/dominant-color.onnx", Output = output });
        var done = await hub.WaitAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var status = JobStatusResponse.From(done, withInput: true);
        Assert.Equal("models/dominant-color.onnx", status.Input!.Value.GetProperty("spec").GetProperty("model").GetString());
        using var summary = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output, ResultWriter.SummaryName)));
        Assert.Equal("models/dominant-color.onnx", summary.RootElement.GetProperty("model").GetString());
        var dashboard = await hub.Services.GetRequiredService<DashboardJobs>().ListAsync(hub.Client, [], 0, 100, null, null, CancellationToken.None);
        Assert.Equal("models/dominant-color.onnx", Assert.Single(dashboard.Jobs, j => j.Id == id).Model);
    }
}
