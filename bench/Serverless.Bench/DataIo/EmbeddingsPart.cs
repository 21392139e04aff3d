using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Serverless.TestSupport;

namespace Serverless.Bench;

/// <summary>
/// dataio part embeddings: the zoo's ResNet-50 architecture (<see cref="BenchModels"/>, the
/// inference benchmark's model) over E photographs (the 200 samples repeated, as the job and
/// fairness benchmarks make them), two jobs back to back on one warmed host: top-k only, then
/// <c>outputs: ["features"]</c> (its 2,048 pooled floats per image stored beside the top-k).
/// Each job's images/s is E over the seconds from its POST to the first status that answers 200.
/// </summary>
internal static class EmbeddingsPart
{
    private const string Features = "features";

    public static async Task RunAsync(DataIoBenchmark.Settings s)
    {
        var images = s.EmbeddingImages;
        var model = ResNet50WithFeatures();
        var folder = BenchImages.EnsureLocalFolder(BenchImages.Plan(images));
        var warmup = BenchImages.EnsureLocalFolder(BenchImages.Plan(Math.Min(images, s.WarmupImages)));
        Report.Value("embedding_images", images);
        Report.Value("embedding_model", "resnet50");
        Report.Value("embedding_format", s.EmbeddingFormat);
        await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(s.Data, "azurite-embeddings"));
        await using var host = await FairHost.StartAsync(azurite, "embeddings", scheduler: true, slots: null, imagesPerTask: null);

        // Warm-up, both kinds: the model's sessions (one per set of outputs) loaded and the code compiled before the measured jobs.
        await RunAsync(s, host, model, warmup, Math.Min(images, s.WarmupImages), "warmup-topk", outputs: null);
        await RunAsync(s, host, model, warmup, Math.Min(images, s.WarmupImages), "warmup-features", [Features]);
        var topk = await RunAsync(s, host, model, folder, images, "topk", outputs: null);
        var embedding = await RunAsync(s, host, model, folder, images, "embeddings", [Features]);
        var dimensions = await FeatureLengthAsync(host, embedding.Id);

        Report.Value("topk_seconds", topk.Seconds, "0.00");
        Report.Value("embedding_seconds", embedding.Seconds, "0.00");
        Report.Value("topk_images_per_s", images / topk.Seconds, "0.00");
        Report.Value("embedding_images_per_s", images / embedding.Seconds, "0.00");
        Report.Value("embedding_speed_ratio", topk.Seconds / embedding.Seconds, "0.000");
        Report.Value("topk_bytes", topk.Bytes);
        Report.Value("embedding_bytes", embedding.Bytes);
        Report.Value("embedding_dimensions", dimensions);
    }

    /// <summary>One job over <paramref name="folder"/>, with <paramref name="outputs"/> when given: its seconds and predictions bytes.</summary>
    private static async Task<(double Seconds, long Bytes, string Id)> RunAsync(
        DataIoBenchmark.Settings s, FairHost host, string model, string folder, int images, string name, string[]? outputs)
    {
        var request = new Dictionary<string, object> { ["source"] = folder, ["model"] = model, ["output"] = DataIoBenchmark.Output(s, name), ["format"] = s.EmbeddingFormat };
        if (outputs is not null)
            request["outputs"] = outputs;
        var job = await DataJob.SubmitAsync(host.Http, name, request);
        var (seconds, body) = await job.WaitAsync(host, s.Timeout);
        job.ExpectCounts(body, images, failed: 0);
        var bytes = DataJob.PredictionsBytes(body);
        Report.Log($"{name}: {images} images in {seconds:0.00}s ({images / seconds:0.00}/s), {bytes} bytes of predictions");
        return (seconds, bytes, job.Id);
    }

    /// <summary>
    /// The length of the first row's <c>features</c> vector, read through <c>GET api/jobs/{id}/results</c>
    /// (JSON Lines, whatever the output's format): the vectors were stored, not only asked for.
    /// </summary>
    private static async Task<int> FeatureLengthAsync(FairHost host, string id)
    {
        using var answer = await host.Http.GetAsync($"api/jobs/{Uri.EscapeDataString(id)}/results", HttpCompletionOption.ResponseHeadersRead);
        answer.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await answer.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync() ?? throw new InvalidOperationException("embeddings: the job's results are empty");
        using var row = JsonDocument.Parse(first);
        if (!row.RootElement.TryGetProperty(Features, out var vector) || vector.ValueKind != JsonValueKind.Array)
            throw new InvalidOperationException($"embeddings: the first row has no '{Features}' vector: {first[..Math.Min(first.Length, 300)]}");
        return vector.GetArrayLength();
    }

    /// <summary>
    /// The bench's ResNet-50 (written once under .work/bench/models); one written before the zoo's
    /// models had their <c>features</c> output is written again, since the job would fail on it.
    /// </summary>
    private static string ResNet50WithFeatures()
    {
        var (path, _) = BenchModels.Ensure("resnet50");
        using (var session = new InferenceSession(path))
        {
            if (session.OutputMetadata.ContainsKey(Features))
                return path;
        }
        Report.Log($"{path} has no '{Features}' output (written before the zoo added it): writing it again");
        File.Delete(path);
        File.Delete(Path.ChangeExtension(path, ".macs"));
        return BenchModels.Ensure("resnet50").Path;
    }
}
