using Onnx;
using Serverless.ModelZoo.Onnx;

namespace Serverless.ModelZoo.Models;

/// <summary>
/// A built model and what its manifest will say about it. For the deliberately broken
/// variants the manifest fields are the claim, and the graph contradicts them.
/// </summary>
/// <param name="Name">Zoo name, e.g. "resnet50".</param>
/// <param name="Model">The ONNX model.</param>
/// <param name="InputName">Graph input the manifest names.</param>
/// <param name="OutputName">Graph output holding the scores.</param>
/// <param name="Layout">Input layout the manifest claims ("NCHW").</param>
/// <param name="Width">Input width the manifest claims.</param>
/// <param name="Height">Input height the manifest claims.</param>
/// <param name="OutputIsProbabilities">True when the output is already softmaxed.</param>
/// <param name="Labels">One label per output class.</param>
/// <param name="MultiplyAccumulates">Multiply-accumulates for one image.</param>
public sealed record ZooModel(
    string Name,
    ModelProto Model,
    string InputName,
    string OutputName,
    string Layout,
    int Width,
    int Height,
    bool OutputIsProbabilities,
    IReadOnlyList<string> Labels,
    long MultiplyAccumulates)
{
    /// <summary>Float elements of the initializers.</summary>
    public long Parameters => OnnxModelFile.CountParameters(Model);
}
