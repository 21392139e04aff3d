using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Serverless.Inference.Quantization;

namespace Serverless.Inference;

/// <summary>
/// Gives a classifier a head imprinted from photos (Qi et al., "Low-Shot Learning with Imprinted
/// Weights", 2018): class k of the final Gemm scores the cosine between an image's centred
/// feature and photo k's, so photo k is class k by a clear margin. A network with random weights
/// (the zoo's, the small CNN of tests/fidelity) picks its top class among 1000 by probability
/// margins of about 0.001, which any change of the arithmetic flips; an imprinted head decides by
/// margins like a trained network's, so comparing two versions of the network (fp32 and INT8)
/// measures them rather than coin flips between near ties.
/// </summary>
public static class HeadImprinter
{
    /// <summary>Writes <paramref name="outPath"/>: the model with its last Gemm imprinted from <paramref name="photoPaths"/> (at most one per class), and its sidecar files.</summary>
    public static void Write(string modelPath, IReadOnlyList<string> photoPaths, string outPath)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        var gemm = model.Graph.Node.LastOrDefault(n => n.OpType == "Gemm" && OnnxAttributes.Int(n, "transB", 0) == 1)
            ?? throw new ArgumentException($"{modelPath} has no Gemm head with transB = 1 to imprint.", nameof(modelPath));
        var weight = model.Graph.Initializer.Single(t => t.Name == gemm.Input[1]);
        var bias = model.Graph.Initializer.Single(t => t.Name == gemm.Input[2]);
        var (classes, width) = ((int)weight.Dims[0], (int)weight.Dims[1]);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(photoPaths.Count, classes);

        var features = Features(modelPath, model, gemm.Input[0], photoPaths, width);
        var mean = new float[width];
        foreach (var feature in features)
        {
            for (var i = 0; i < width; i++)
            {
                mean[i] += feature[i] / features.Count;
            }
        }

        // logit_k = r_k . (f - mean) with r_k the unit centred feature of photo k: weights r_k, bias -r_k . mean.
        var rows = new float[classes * width];
        var biases = new float[classes];
        for (var k = 0; k < features.Count; k++)
        {
            var centred = features[k].Select((v, i) => v - mean[i]).ToArray();
            var norm = MathF.Sqrt(centred.Sum(v => v * v));
            for (var i = 0; i < width; i++)
            {
                rows[(k * width) + i] = centred[i] / norm;
                biases[k] -= rows[(k * width) + i] * mean[i];
            }
        }

        weight.FloatData.Clear();
        weight.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(rows.AsSpan()));
        bias.FloatData.Clear();
        bias.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(biases.AsSpan()));
        File.WriteAllBytes(outPath, model.ToByteArray());
        using var loaded = ModelLoader.Load(Path.GetFullPath(modelPath), InferenceOptions.Default, null, _ => { });
        SidecarFiles.Copy(modelPath, outPath, loaded.Manifest);
    }

    /// <summary>The head's input for each photo, one image at a time (any batch dimension runs that way).</summary>
    private static List<float[]> Features(string modelPath, ModelProto model, string headInput, IReadOnlyList<string> photoPaths, int width)
    {
        var probe = model.Clone();
        probe.Graph.Output.Add(new ValueInfoProto
        {
            Name = headInput,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
        });
        using var loaded = ModelLoader.Load(Path.GetFullPath(modelPath), InferenceOptions.Default, null, _ => { });
        using var session = new InferenceSession(probe.ToByteArray());
        using var runOptions = new RunOptions();
        var image = new float[loaded.ElementsPerImage];
        var features = new List<float[]>();
        foreach (var photo in photoPaths)
        {
            ImagePreprocessor.Preprocess(File.ReadAllBytes(photo), loaded.Manifest, loaded.Options, image);
            using var input = OrtValue.CreateTensorValueFromMemory(image, loaded.InputShape(1));
            using var outputs = session.Run(runOptions, [loaded.Signature.InputName], [input], [headInput]);
            features.Add(outputs[0].GetTensorDataAsSpan<float>()[..width].ToArray());
        }

        return features;
    }
}
