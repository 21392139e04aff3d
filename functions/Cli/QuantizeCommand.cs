using System.CommandLine;
using System.Globalization;
using Serverless.Inference.Quantization;

namespace Serverless.Cli;

/// <summary>`serverless quantize`: static INT8 (QDQ) quantization of a float model, calibrated on a folder of images.</summary>
internal static class QuantizeCommand
{
    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "The float .onnx model (its manifest and labels are copied beside the output)." };
        var calibrate = new Option<DirectoryInfo>("--calibrate") { Description = "Folder of images like the ones the model will classify (a few dozen to a few hundred).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Path of the quantized .onnx file to write.", Required = true };
        var options = CalibrationOptions.Create();
        var command = new Command("quantize", "Quantize a float ONNX model to INT8 (QDQ: int8 per-channel weights, uint8 activations calibrated on images), for ONNX Runtime's VNNI/AMX kernels.")
        {
            model, calibrate, output,
        };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            var result = ModelQuantizer.Quantize(parse.GetValue(model)!.FullName, parse.GetValue(calibrate)!.FullName, parse.GetValue(output)!.FullName,
                options.Read(parse), Console.Error.WriteLine);
            Print(result);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>What a quantization wrote, on stdout (the skipped images on stderr).</summary>
    public static void Print(QuantizeResult result)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {result.OutputPath} ({result.QuantizedNodes} int8 layers, {result.QuantizedActivations} quantized activations, {result.FoldedActivations} activations folded; {result.CalibrationImages} calibration images; {result.FloatBytes / 1e6:0.0} -> {result.QuantizedBytes / 1e6:0.0} MB)"));
        foreach (var sidecar in result.Sidecars)
            Console.WriteLine($"wrote {sidecar}");
        if (result.SkippedImages > 0)
            Console.Error.WriteLine($"warning: {result.SkippedImages} calibration files could not be read as images and were skipped");
        if (result.SaturatedBiases > 0)
            Console.Error.WriteLine($"warning: {result.SaturatedBiases} bias values exceed int32 at their scale and were clamped");
    }
}
