using Microsoft.DurableTask;
using Microsoft.Extensions.Options;
using Serverless.BatchInference.Contracts;
using Serverless.Inference;
using Serverless.Jobs;

namespace Serverless.Activities;

/// <summary>
/// Loads the job's model once before any batch runs, so a missing or mismatched model, or a batch
/// too large for memory, or a named output the model does not have, fails the job at once with its reason.
/// </summary>
public sealed class CheckModelActivity(JobResources resources, IOptions<JobDefaults> defaults) : TaskActivity<CheckModelInput, CheckModelOutput>
{
    /// <inheritdoc/>
    public override Task<CheckModelOutput> RunAsync(TaskActivityContext context, CheckModelInput input)
    {
        LoadedModel model;
        string sha256;
        try
        {
            // Hashed before the load: a file replaced in between fails the first unit, never passes unseen.
            sha256 = resources.ModelSha256(input.Model);
            model = resources.Model(input.Model, input.Preset);
        }
        catch (Exception e) when (e is ModelLoadException or ArgumentException or IOException)
        {
            throw new JobConfigurationException(e.Message, e);
        }
        if (input.Outputs is { Count: > 0 } outputs && ModelOutputs.Problem(model, outputs) is { } problem)
            throw new JobConfigurationException($"model '{input.Model}': {problem}");
        var manifest = model.Manifest;
        var tensorBytes = (long)input.BatchSize * 3 * manifest.Width * manifest.Height * sizeof(float);
        var limit = defaults.Value.MaxBatchTensorBytes;
        if (tensorBytes > limit)
            throw new JobConfigurationException(
                $"batchSize {input.BatchSize} needs a {tensorBytes / (1024 * 1024)} MiB input tensor for this {manifest.Width}x{manifest.Height} model, " +
                $"more than the {limit / (1024 * 1024)} MiB allowed (batchInference:maxBatchTensorBytes); use a batch of at most {limit / (tensorBytes / input.BatchSize)}");
        return Task.FromResult(new CheckModelOutput($"{manifest.Width}x{manifest.Height} {manifest.Layout}, {model.Labels?.Count ?? 0} labels", sha256));
    }
}
