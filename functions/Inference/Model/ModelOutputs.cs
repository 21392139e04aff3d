using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Serverless.Inference;

/// <summary>
/// The graph outputs a job may store per image as float vectors (a job's <c>outputs</c>), and the
/// rule for the class output: it is the signature's (the manifest's <c>outputName</c>, else the
/// model's first output) unless the job names it among its outputs, in which case it is stored as a
/// vector and rows have no top-k. That is how a feature extractor, whose one output is its
/// features, runs.
/// </summary>
public static class ModelOutputs
{
    /// <summary>The output the zoo's models (and, by convention, any model) expose their pooled features as.</summary>
    public const string FeaturesName = "features";

    /// <summary>Every graph output of <paramref name="model"/>, in graph order, with its role.</summary>
    public static IReadOnlyList<ModelOutput> Of(LoadedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Session.OutputNames.Select(name =>
        {
            var meta = model.Session.OutputMetadata[name];
            // A feature extractor's one output is both: what it is (features) says more than where it sits.
            var role = name == FeaturesName ? ModelOutput.FeaturesRole : name == model.Signature.OutputName ? ModelOutput.ClassRole : null;
            return new ModelOutput(name, meta.Dimensions, meta.IsTensor ? meta.ElementDataType.ToString().ToLowerInvariant() : meta.OnnxValueType.ToString(), role, IsStorable(meta));
        }).ToArray();
    }

    /// <summary>
    /// Null when every name in <paramref name="names"/> is an output a job can store (a float tensor
    /// with the batch first), else why not, naming the output and listing the model's outputs.
    /// </summary>
    public static string? Problem(LoadedModel model, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            if (!model.Session.OutputMetadata.TryGetValue(name, out var meta))
                return $"outputs names '{name}', which the model does not have; its outputs are: {Describe(model)}";
            if (!IsStorable(meta))
                return $"outputs names '{name}', which is not a float tensor with the batch first ({Describe(Of(model).First(o => o.Name == name))}); its outputs are: {Describe(model)}";
        }

        return null;
    }

    /// <summary>Whether a classifier with these named outputs reports top-k (the class output is not itself one of them).</summary>
    public static bool HasScores(LoadedModel model, IReadOnlyList<string>? names) =>
        names is null || !names.Contains(model.Signature.OutputName, StringComparer.Ordinal);

    /// <summary>"name [?, 2048] float (class)" for each output, comma-separated.</summary>
    public static string Describe(LoadedModel model) => string.Join(", ", Of(model).Select(Describe));

    private static string Describe(ModelOutput output) =>
        $"{output.Name} {GraphShape.Format(output.Dimensions)} {output.ElementType}{(output.Role is { } role ? $" ({role})" : "")}";

    private static bool IsStorable(NodeMetadata meta) =>
        meta.IsTensor && meta.ElementDataType == TensorElementType.Float && meta.Dimensions.Length >= 2;
}

/// <summary>One graph output: what <c>serverless inspect-model</c> lists as a candidate for a job's <c>outputs</c>.</summary>
/// <param name="Name">The output's name in the graph.</param>
/// <param name="Dimensions">Its shape, -1 (printed ?) where the graph leaves a dimension open (the batch).</param>
/// <param name="ElementType">Its element type (<c>float</c>, ...).</param>
/// <param name="Role"><see cref="ClassRole"/>, <see cref="FeaturesRole"/>, or null.</param>
/// <param name="Storable">Whether a job can store it per image (a float tensor with the batch first).</param>
public sealed record ModelOutput(string Name, int[] Dimensions, string ElementType, string? Role, bool Storable)
{
    /// <summary>The output top-k is read from.</summary>
    public const string ClassRole = "class";

    /// <summary>The pooled features (an output named <c>features</c>).</summary>
    public const string FeaturesRole = "features";

    /// <summary>Floats per image when the graph fixes every dimension but the batch; else null.</summary>
    public int? Length => Dimensions.Skip(1).All(d => d > 0) ? Dimensions.Skip(1).Aggregate(1, (a, d) => a * d) : null;

    /// <summary>The shape as the CLI prints it, e.g. <c>[?, 2048]</c>.</summary>
    public string Shape => "[" + string.Join(", ", Dimensions.Select(d => d > 0 ? d.ToString(CultureInfo.InvariantCulture) : "?")) + "]";
}
