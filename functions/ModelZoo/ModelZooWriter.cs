using Serverless.ModelZoo.Models;
using Serverless.ModelZoo.Onnx;

namespace Serverless.ModelZoo;

/// <summary>
/// Entry point of the model zoo: builds a named model and writes <c>&lt;stem&gt;.onnx</c>, its manifest
/// in its metadata_props, and <c>&lt;stem&gt;.manifest.json</c> and <c>&lt;stem&gt;.labels.txt</c> beside it.
/// </summary>
public static class ModelZooWriter
{
    /// <summary>Models for users and benchmarks.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mobilenetv2", "resnet50", DominantColorModel.Name];

    /// <summary>
    /// Models for tests: deliberately inconsistent ones for the bad-input tests (graph contradicts
    /// manifest), and a feature extractor with no class output (<c>dominant-color-features</c>).
    /// </summary>
    public static IReadOnlyList<string> TestVariantNames { get; } =
    [
        $"{DominantColorModel.Name}-{DominantColorModel.VariantSuffix(DominantColorVariant.WrongSize)}",
        $"{DominantColorModel.Name}-{DominantColorModel.VariantSuffix(DominantColorVariant.ChannelsLast)}",
        $"{DominantColorModel.Name}-{DominantColorModel.VariantSuffix(DominantColorVariant.FeaturesOnly)}",
    ];

    /// <summary>Builds the named model in memory.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static ZooModel Build(string name, ModelZooOptions? options = null)
    {
        options ??= new ModelZooOptions();
        return name switch
        {
            "mobilenetv2" => MobileNetV2Model.Build(options.Seed, ImageNetLabels.Load(options.ClassesTsvPath)),
            "resnet50" => ResNet50Model.Build(options.Seed, ImageNetLabels.Load(options.ClassesTsvPath)),
            DominantColorModel.Name => DominantColorModel.Build(),
            _ when name == TestVariantNames[0] => DominantColorModel.Build(DominantColorVariant.WrongSize),
            _ when name == TestVariantNames[1] => DominantColorModel.Build(DominantColorVariant.ChannelsLast),
            _ when name == TestVariantNames[2] => DominantColorModel.Build(DominantColorVariant.FeaturesOnly),
            _ => throw new ArgumentException(
                $"Unknown model '{name}'. Known: {string.Join(", ", Names.Concat(TestVariantNames))}.", nameof(name)),
        };
    }

    /// <summary>Builds the named model and writes it, with its manifest and labels, to <paramref name="outPath"/>.</summary>
    /// <param name="name">One of <see cref="Names"/> or <see cref="TestVariantNames"/>.</param>
    /// <param name="outPath">The .onnx file to write; sidecars take its stem.</param>
    /// <param name="options">Seed, class names and whether to write sidecars.</param>
    public static ModelZooOutput Write(string name, string outPath, ModelZooOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outPath);
        options ??= new ModelZooOptions();
        var model = Build(name, options);
        ManifestFile.Embed(model);
        OnnxModelFile.Save(model.Model, outPath);

        string? manifestPath = null;
        string? labelsPath = null;
        if (options.WriteSidecarFiles)
        {
            manifestPath = ManifestPathFor(outPath);
            // A feature extractor has no classes, so no labels file.
            labelsPath = model.Labels.Count > 0 ? LabelsPathFor(outPath) : null;
            if (labelsPath is not null)
                File.WriteAllLines(labelsPath, model.Labels);
            ManifestFile.Write(manifestPath, model, labelsPath is null ? null : Path.GetFileName(labelsPath));
        }

        return new ModelZooOutput(
            model.Name, outPath, manifestPath, labelsPath, model.Parameters, model.MultiplyAccumulates, new FileInfo(outPath).Length);
    }

    /// <summary>The manifest beside a model: same folder and stem, ".manifest.json".</summary>
    public static string ManifestPathFor(string modelPath) => SidecarPath(modelPath, ".manifest.json");

    /// <summary>The labels file beside a model: same folder and stem, ".labels.txt".</summary>
    public static string LabelsPathFor(string modelPath) => SidecarPath(modelPath, ".labels.txt");

    private static string SidecarPath(string modelPath, string suffix) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, Path.GetFileNameWithoutExtension(modelPath) + suffix);
}
