using Serverless.EndToEnd.Tests.Support;
using Serverless.ModelZoo;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Cli;

/// <summary>`serverless quantize` end to end: it writes a model that classify reads, and each input it refuses is one line and exit 1.</summary>
public sealed class CliQuantizeTests
{
    [Fact]
    public async Task Quantize_writes_a_model_classify_reads_and_refuses_it_a_second_time()
    {
        using var temp = new TempDir("cli-quantize");
        var model = temp.Combine("dominant-color.onnx");
        ModelZooWriter.Write("dominant-color", model);
        var photos = temp.Combine("photos");
        Directory.CreateDirectory(photos);
        foreach (var photo in Directory.GetFiles(RepoPaths.ImagenetSample200).Order().Take(8))
            File.Copy(photo, Path.Combine(photos, Path.GetFileName(photo)));

        var int8 = temp.Combine("int8", "dominant-color.int8.onnx");
        var (exitCode, stdout, stderr) = await HostProcess.RunCliAsync(["quantize", model, "--calibrate", photos, "--out", int8]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains($"wrote {int8}", stdout);
        Assert.True(File.Exists(temp.Combine("int8", "dominant-color.int8.labels.txt")));

        (exitCode, _, stderr) = await HostProcess.RunCliAsync(["classify", photos, "--model", int8, "--out", temp.Combine("predictions.jsonl")]);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal(8, File.ReadAllLines(temp.Combine("predictions.jsonl")).Length);

        (exitCode, _, stderr) = await HostProcess.RunCliAsync(["quantize", int8, "--calibrate", photos, "--out", temp.Combine("twice.onnx")]);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, "the model is already quantized");

        var empty = temp.Combine("empty");
        Directory.CreateDirectory(empty);
        (exitCode, _, stderr) = await HostProcess.RunCliAsync(["quantize", model, "--calibrate", empty, "--out", temp.Combine("none.onnx")]);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, "has no images");

        (exitCode, _, stderr) = await HostProcess.RunCliAsync(["quantize", model, "--calibrate", photos, "--out", temp.Combine("x.onnx"), "--method", "median"]);
        Assert.Equal(2, exitCode);
    }
}
