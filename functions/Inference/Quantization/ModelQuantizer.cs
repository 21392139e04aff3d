using System.Globalization;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Serverless.Inference.Quantization;

/// <summary>What <see cref="ModelQuantizer.Quantize"/> wrote.</summary>
/// <param name="OutputPath">The quantized .onnx file.</param>
/// <param name="Sidecars">Manifest, labels and other files copied beside it.</param>
/// <param name="CalibrationImages">Images the activation ranges come from.</param>
/// <param name="SkippedImages">Calibration files that could not be read as images.</param>
/// <param name="QuantizedNodes">Conv, Gemm and MatMul nodes with int8 weights.</param>
/// <param name="QuantizedActivations">Activation tensors given a QuantizeLinear/DequantizeLinear pair.</param>
/// <param name="FoldedActivations">Relu/Clip nodes absorbed into the uint8 range of their input.</param>
/// <param name="SaturatedBiases">Bias values beyond int32 at their scale (clamped; 0 in any sane model).</param>
/// <param name="FloatBytes">Size of the float model file.</param>
/// <param name="QuantizedBytes">Size of the quantized model file.</param>
public sealed record QuantizeResult(
    string OutputPath,
    IReadOnlyList<string> Sidecars,
    int CalibrationImages,
    int SkippedImages,
    int QuantizedNodes,
    int QuantizedActivations,
    int FoldedActivations,
    int SaturatedBiases,
    long FloatBytes,
    long QuantizedBytes);

/// <summary>
/// Static INT8 quantization of a float ONNX model into the QDQ format: int8 weights symmetric per
/// output channel, uint8 activations per tensor with ranges calibrated on a folder of images
/// (min/max or percentile), placed so that ONNX Runtime's CPU provider fuses QLinearConv, QGemm,
/// QLinearAdd and friends (u8s8: VNNI's vpdpbusd and AMX's tdpbusd take unsigned activations
/// and signed weights). The model's metadata and the files beside it come along, so the result
/// classifies like its original.
/// </summary>
public static class ModelQuantizer
{
    /// <summary>metadata_props key marking a quantized model (and its scheme).</summary>
    public const string MetadataKey = "quantization";

    /// <summary>Quantizes <paramref name="modelPath"/> with the images under <paramref name="calibrationFolder"/> into <paramref name="outPath"/>.</summary>
    /// <exception cref="QuantizationException">Already quantized, nothing to quantize, no calibration images, or an unreadable model.</exception>
    /// <exception cref="ModelLoadException">The model does not load as an image classifier.</exception>
    public static QuantizeResult Quantize(string modelPath, string calibrationFolder, string outPath, QuantizeOptions? options = null, Action<string>? log = null)
    {
        options ??= new QuantizeOptions();
        log ??= _ => { };
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxImages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        if (options.Percentile is <= 50 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"percentile {options.Percentile} is not in (50, 100].");
        }

        if (string.Equals(Path.GetFullPath(modelPath), Path.GetFullPath(outPath), StringComparison.Ordinal))
        {
            throw new QuantizationException("the output path is the input model itself; write the quantized model to another file.");
        }

        var source = Read(modelPath);
        if (source.MetadataProps.FirstOrDefault(p => p.Key == MetadataKey) is { } marker)
        {
            throw new QuantizationException($"the model is already quantized ({MetadataKey} = {marker.Value}); quantize its float original instead.");
        }

        var plan = QdqPlan.Create(source.Clone(), options);
        var images = CalibrationImages(calibrationFolder, options.MaxImages);
        using var loaded = ModelLoader.Load(Path.GetFullPath(modelPath), options.Inference, options.Preset, log);
        log($"calibrating {plan.Calibrated.Count} activation tensors on {images.Count} images ({Describe(options)})");
        var (ranges, used) = ActivationCalibrator.Calibrate(source, loaded, plan.Calibrated, images, options);
        var saturated = QdqRewriter.Rewrite(plan, ranges, options.ReduceRange);

        var model = plan.Model;
        foreach (var (key, value) in Metadata(modelPath, options, used))
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        model.ProducerName = "Serverless.Inference.Quantization";
        var bytes = model.ToByteArray();
        CheckLoads(bytes);
        var folder = Path.GetDirectoryName(Path.GetFullPath(outPath));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        File.WriteAllBytes(outPath, bytes);
        var sidecars = SidecarFiles.Copy(modelPath, outPath, loaded.Manifest);
        return new QuantizeResult(
            Path.GetFullPath(outPath), sidecars, used, images.Count - used, plan.ComputeNodes.Count, plan.Quantized.Count(),
            plan.FoldedActivations.Count, saturated, new FileInfo(modelPath).Length, bytes.LongLength);
    }

    private static ModelProto Read(string modelPath)
    {
        if (!File.Exists(modelPath))
        {
            throw new QuantizationException($"the model file '{modelPath}' does not exist.");
        }

        try
        {
            using var stream = File.OpenRead(modelPath);
            var model = ModelProto.Parser.ParseFrom(stream);
            return model.Graph is null ? throw new QuantizationException($"'{modelPath}' holds no ONNX graph.") : model;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new QuantizationException($"'{modelPath}' is not an ONNX model ({e.Message}).", e);
        }
    }

    private static IReadOnlyList<string> CalibrationImages(string folder, int max)
    {
        if (!Directory.Exists(folder))
        {
            throw new QuantizationException($"the calibration folder '{folder}' does not exist.");
        }

        var files = LocalFolderClassifier.EnumerateImageFiles(folder);
        if (files.Count == 0)
        {
            throw new QuantizationException($"the calibration folder '{folder}' has no images (.jpg, .png, .webp, ...): activation ranges need a few dozen images like the ones the model will see.");
        }

        return files.Take(max).ToArray();
    }

    private static string Describe(QuantizeOptions options) => options.Method == CalibrationMethod.Percentile
        ? $"percentile {options.Percentile.ToString(CultureInfo.InvariantCulture)}"
        : "minmax";

    private static IEnumerable<(string, string)> Metadata(string modelPath, QuantizeOptions options, int images)
    {
        yield return (MetadataKey, "qdq int8");
        yield return ("quantization.weights", options.ReduceRange ? "int8 symmetric per output channel, 7-bit range [-64, 64]" : "int8 symmetric per output channel");
        yield return ("quantization.activations", $"uint8 asymmetric per tensor, {Describe(options)}");
        yield return ("quantization.calibrationImages", images.ToString(CultureInfo.InvariantCulture));
        yield return ("quantization.source", Path.GetFileName(modelPath));
    }

    // A graph ONNX Runtime rejects is a bug here, not the user's: fail before writing it.
    private static void CheckLoads(byte[] model)
    {
        try
        {
            using var session = new InferenceSession(model);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"ONNX Runtime rejects the quantized graph: {e.Message}", e);
        }
    }
}
