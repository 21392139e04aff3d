using Microsoft.DurableTask;
using Serverless.BatchInference.Contracts;

namespace Serverless.Activities;

/// <summary>Loads the job's model once before any batch runs, so a missing or mismatched model fails the job at once with its reason.</summary>
public sealed class CheckModelActivity(JobResources resources) : TaskActivity<CheckModelInput, string>
{
    /// <inheritdoc/>
    public override Task<string> RunAsync(TaskActivityContext context, CheckModelInput input)
    {
        var model = resources.Model(input.Model, input.Preset);
        return Task.FromResult($"{model.Manifest.Width}x{model.Manifest.Height} {model.Manifest.Layout}, {model.Labels?.Count ?? 0} labels");
    }
}
