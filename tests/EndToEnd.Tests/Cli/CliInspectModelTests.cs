using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;
using Serverless.ModelZoo;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Cli;

/// <summary>
/// `serverless inspect-model` lists the model's outputs (the candidates for a job's outputs) with shape
/// and type, the class and features outputs marked; `classify --outputs` stores them as a job does.
/// </summary>
public sealed class CliInspectModelTests
{
    [Fact]
    public async Task Inspect_model_lists_the_outputs_marking_class_and_features()
    {
        using var temp = new TempDir("cli-inspect");
        var model = temp.Combine("dominant-color.onnx");
        ModelZooWriter.Write("dominant-color", model);

        var (exitCode, stdout, stderr) = await HostProcess.RunCliAsync(["inspect-model", model]);

        Assert.True(exitCode == 0, stderr);
        var lines = stdout.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Contains("name shape type role", lines);
        Assert.Contains("probabilities [?, 10] float class (top-k)", lines);
        Assert.Contains("features [?, 3] float features", lines);

        (exitCode, stdout, stderr) = await HostProcess.RunCliAsync(["inspect-model", model, "-o", "json"]);
        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var outputs = json.RootElement.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal(["probabilities", "features"], outputs.Select(o => o.GetProperty("name").GetString()));
        Assert.Equal(["class", "features"], outputs.Select(o => o.GetProperty("role").GetString()));
        Assert.Equal(3, outputs[1].GetProperty("length").GetInt32());
    }

    [Fact]
    public async Task Classify_stores_the_named_outputs_per_image_and_refuses_a_name_the_model_lacks()
    {
        using var temp = new TempDir("cli-classify-outputs");
        var model = temp.Combine("dominant-color.onnx");
        ModelZooWriter.Write("dominant-color", model);
        var images = Directory.CreateDirectory(temp.Combine("images")).FullName;
        foreach (var photo in Directory.GetFiles(RepoPaths.ImagenetSample200).Order(StringComparer.Ordinal).Take(3))
            File.Copy(photo, Path.Combine(images, Path.GetFileName(photo)));

        var (exitCode, _, stderr) = await HostProcess.RunCliAsync(["classify", images, "--model", model, "--outputs", "features", "--out", temp.Combine("out.jsonl")]);

        Assert.True(exitCode == 0, stderr);
        var rows = File.ReadAllLines(temp.Combine("out.jsonl")).Select(l => Serverless.Storage.Results.PredictionJson.Parse(l, ["features"])).ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(3, r.Outputs!["features"].Length));
        Assert.All(rows, r => Assert.NotEmpty(r.Top));

        (exitCode, _, stderr) = await HostProcess.RunCliAsync(["classify", images, "--model", model, "--outputs", "embedding", "--out", temp.Combine("bad.jsonl")]);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, "--outputs: ");
        Assert.Contains("'embedding'", stderr);
        Assert.Contains("features [?, 3]", stderr);
    }
}
