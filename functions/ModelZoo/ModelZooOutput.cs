namespace Serverless.ModelZoo;

/// <summary>What <see cref="ModelZooWriter.Write"/> wrote.</summary>
/// <param name="Name">Zoo name of the model.</param>
/// <param name="ModelPath">The .onnx file.</param>
/// <param name="ManifestPath">The manifest beside it, or null when sidecars were not written.</param>
/// <param name="LabelsPath">The labels file beside it, or null when sidecars were not written.</param>
/// <param name="Parameters">Float parameters in the initializers.</param>
/// <param name="MultiplyAccumulates">Multiply-accumulates for one image.</param>
/// <param name="Bytes">Size of the .onnx file.</param>
public sealed record ModelZooOutput(
    string Name,
    string ModelPath,
    string? ManifestPath,
    string? LabelsPath,
    long Parameters,
    long MultiplyAccumulates,
    long Bytes);
