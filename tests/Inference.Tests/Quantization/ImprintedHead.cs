using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Serverless.Inference.Tests.Quantization;

/// <summary>
/// Gives a classifier a head imprinted from photos (Qi et al., "Low-Shot Learning with Imprinted
/// Weights", 2018): row k of the final Gemm is the unit feature vector of photo k, the bias zero.
/// The random head of tests/fidelity's small CNN picks its top class among 1000 by probability
/// margins of about 0.001, thinner than any int8 error; an imprinted head decides by margins like
/// a trained network's (0.30 on the sample photos), so agreement measures the quantization, not
/// the coin flips of near ties.
/// </summary>
internal static class ImprintedHead
{
    public static void Write(string modelPath, IReadOnlyList<string> photoPaths, string outPath)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        var gemm = model.Graph.Node.Single(n => n.OpType == "Gemm");
        var weight = model.Graph.Initializer.Single(t => t.Name == gemm.Input[1]);
        var bias = model.Graph.Initializer.Single(t => t.Name == gemm.Input[2]);
        var (classes, features) = ((int)weight.Dims[0], (int)weight.Dims[1]);
        Assert.True(photoPaths.Count <= classes);

        var probe = model.Clone();
        probe.Graph.Output.Add(new ValueInfoProto { Name = gemm.Input[0], Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        using var cache = new ModelCache();
        var loaded = cache.GetOrLoad(modelPath);
        using var session = new InferenceSession(probe.ToByteArray());
        using var runOptions = new RunOptions();
        var rows = new float[classes * features];
        var image = new float[loaded.ElementsPerImage];
        for (var k = 0; k < photoPaths.Count; k++)
        {
            ImagePreprocessor.Preprocess(File.ReadAllBytes(photoPaths[k]), loaded.Manifest, loaded.Options, image);
            using var input = OrtValue.CreateTensorValueFromMemory(image, loaded.InputShape(1));
            using var outputs = session.Run(runOptions, [loaded.Signature.InputName], [input], [gemm.Input[0]]);
            var feature = outputs[0].GetTensorDataAsSpan<float>();
            var norm = MathF.Sqrt(feature.ToArray().Sum(x => x * x));
            for (var i = 0; i < features; i++)
            {
                rows[(k * features) + i] = feature[i] / norm;
            }
        }

        weight.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(rows.AsSpan()));
        bias.RawData = ByteString.CopyFrom(new byte[classes * sizeof(float)]);
        File.WriteAllBytes(outPath, model.ToByteArray());
    }
}
