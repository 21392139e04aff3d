using System.CommandLine;
using Serverless.Inference.Quantization;

namespace Serverless.Cli;

/// <summary>The calibration flags `quantize` and `make-model --int8` share.</summary>
internal sealed class CalibrationOptions
{
    private readonly Option<string> method = new("--method") { Description = "Activation ranges: minmax (nothing saturates on the calibration images) or percentile.", DefaultValueFactory = _ => "minmax" };
    private readonly Option<double> percentile = new("--percentile") { Description = "Quantile kept by --method percentile, in percent.", DefaultValueFactory = _ => new QuantizeOptions().Percentile };
    private readonly Option<int> images = new("--calibration-images") { Description = "Calibration images used at most (the first of the folder).", DefaultValueFactory = _ => new QuantizeOptions().MaxImages };
    private readonly Option<string[]> exclude = new("--exclude-node") { Description = "A Conv/Gemm/MatMul node name to leave in float (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<bool> keepFirst = new("--keep-first-conv-float") { Description = "Leave the convolution that reads the image in float." };
    private readonly Option<bool> fullRange = new("--full-range-weights") { Description = "Weights in [-127, 127] instead of 7 bits: only for CPUs with VNNI or AMX (without them ONNX Runtime's u8 x s8 kernel saturates)." };
    private readonly Option<string?> preset = new("--preset") { Description = "Preprocessing preset of the calibration images, as for classify: imagenet, caffe, tf, vit." };

    public static CalibrationOptions Create()
    {
        var options = new CalibrationOptions();
        options.method.AcceptOnlyFromAmong("minmax", "percentile");
        options.images.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
                r.AddError("--calibration-images must be at least 1.");
        });
        options.percentile.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is <= 50 or > 100)
                r.AddError("--percentile must be above 50 and at most 100.");
        });
        return options;
    }

    public void AddTo(Command command)
    {
        command.Options.Add(method);
        command.Options.Add(percentile);
        command.Options.Add(images);
        command.Options.Add(exclude);
        command.Options.Add(keepFirst);
        command.Options.Add(fullRange);
        command.Options.Add(preset);
    }

    public QuantizeOptions Read(ParseResult parse) => new()
    {
        Method = parse.GetValue(method) == "percentile" ? CalibrationMethod.Percentile : CalibrationMethod.MinMax,
        Percentile = parse.GetValue(percentile),
        MaxImages = parse.GetValue(images),
        ExcludedNodes = (parse.GetValue(exclude) ?? []).ToHashSet(StringComparer.Ordinal),
        KeepFirstConvFloat = parse.GetValue(keepFirst),
        ReduceRange = !parse.GetValue(fullRange),
        Preset = parse.GetValue(preset),
    };
}
