using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Serverless.Inference.Quantization;

/// <summary>
/// Runs the float model on calibration images, preprocessed exactly as classify does, with every
/// tensor to calibrate made a graph output, and records the range of each.
/// </summary>
internal static class ActivationCalibrator
{
    /// <summary>The ranges of <paramref name="tensors"/> and the number of images used.</summary>
    public static (Dictionary<string, (float Min, float Max)> Ranges, int Images) Calibrate(
        ModelProto model, LoadedModel loaded, IReadOnlyList<string> tensors, IReadOnlyList<string> images, QuantizeOptions options)
    {
        // The batch as the file has it (the loader may have made a fixed 1 symbolic in its own copy,
        // after checking that batches stay apart: then calibration batches too).
        var augmented = model.Clone();
        int? fixedSize = FixedBatch(model, loaded.Signature.InputName);
        if (fixedSize == 1 && loaded.Batching == "dynamic" && BatchDimension.MakeSymbolic(model.ToByteArray()) is ({ } symbolic, _))
        {
            (augmented, fixedSize) = (ModelProto.Parser.ParseFrom(symbolic), null);
        }

        var existing = augmented.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in tensors.Where(t => !existing.Contains(t)))
        {
            augmented.Graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }

        var bytes = augmented.ToByteArray();
        using var sessionOptions = ModelLoader.CreateSessionOptions(options.Inference);
        using var session = new InferenceSession(bytes, sessionOptions);
        var batches = Preprocess(loaded, images, fixedSize ?? options.BatchSize, fixedSize).ToList();
        if (batches.Count == 0)
        {
            throw new QuantizationException($"none of the {images.Count} calibration images could be read as an image.");
        }

        var ranges = tensors.ToDictionary(t => t, _ => new TensorRange(), StringComparer.Ordinal);
        Pass(session, loaded, batches, tensors, (range, values) => range.Observe(values), ranges);
        if (options.Method == CalibrationMethod.Percentile)
        {
            Pass(session, loaded, batches, tensors, (range, values) => range.Count(values), ranges);
        }

        var result = ranges.ToDictionary(
            kv => kv.Key,
            kv => options.Method == CalibrationMethod.Percentile ? kv.Value.Clipped(options.Percentile) : (kv.Value.Min, kv.Value.Max),
            StringComparer.Ordinal);
        return (result, batches.Sum(b => b.Count));
    }

    private static void Pass(InferenceSession session, LoadedModel loaded, List<(float[] Data, int Count, int Size)> batches, IReadOnlyList<string> tensors, Action<TensorRange, ReadOnlySpan<float>> record, Dictionary<string, TensorRange> ranges)
    {
        using var runOptions = new RunOptions();
        foreach (var (data, _, size) in batches)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(data, loaded.InputShape(size));
            using var outputs = session.Run(runOptions, [loaded.Signature.InputName], [input], tensors.ToArray());
            for (var i = 0; i < tensors.Count; i++)
            {
                record(ranges[tensors[i]], outputs[i].GetTensorDataAsSpan<float>());
            }
        }
    }

    /// <summary>Batches of preprocessed images; a short last batch of a fixed-size graph repeats its first image (ranges do not change).</summary>
    private static IEnumerable<(float[] Data, int Count, int Size)> Preprocess(LoadedModel loaded, IReadOnlyList<string> images, int batch, int? fixedSize)
    {
        var per = loaded.ElementsPerImage;
        var slots = new List<float[]>();
        foreach (var path in images)
        {
            var slot = new float[per];
            try
            {
                ImagePreprocessor.Preprocess(File.ReadAllBytes(path), loaded.Manifest, loaded.Options, slot);
            }
            catch (ImageRejectedException)
            {
                continue;
            }

            slots.Add(slot);
        }

        for (var start = 0; start < slots.Count; start += batch)
        {
            var count = Math.Min(batch, slots.Count - start);
            var size = fixedSize ?? count;
            var data = new float[size * per];
            for (var i = 0; i < size; i++)
            {
                slots[start + (i < count ? i : 0)].CopyTo(data, i * per);
            }

            yield return (data, count, size);
        }
    }

    private static int? FixedBatch(ModelProto model, string inputName)
    {
        var input = model.Graph.Input.FirstOrDefault(i => i.Name == inputName);
        var first = input?.Type?.TensorType?.Shape?.Dim.FirstOrDefault();
        return first is { ValueCase: TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue, DimValue: > 0 } ? (int)first.DimValue : null;
    }
}
