using Serverless.TestSupport;

namespace Serverless.Bench;

/// <summary>
/// dataio part parquet: the same N tiny images (the scale benchmark's folder, the dominant-colour
/// model) classified twice on one host, <c>format: jsonl</c> then <c>format: parquet</c>, after a
/// warm-up job of each format; each job's merge time (summary.json <c>timingsSeconds.merge</c>:
/// from the merge shards' start to the end of the join) and the size of its single predictions file.
/// </summary>
internal static class ParquetPart
{
    public static async Task RunAsync(DataIoBenchmark.Settings s)
    {
        var images = s.ParquetImages;
        var folder = ScaleBenchmark.TinyImages(images);
        var warmup = ScaleBenchmark.TinyImages(Math.Min(images, 1000));
        var model = DataIoBenchmark.TinyModel();
        Report.Value("parquet_images", images);
        await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(s.Data, "azurite-parquet"));
        await using var host = await FairHost.StartAsync(azurite, "parquet", scheduler: true, slots: null, imagesPerTask: null);

        // Warm-up: the merge code of both formats compiled and the model loaded before either measured job.
        foreach (var format in new[] { "jsonl", "parquet" })
            await RunAsync(s, host, model, warmup, Math.Min(images, 1000), format, $"warmup-{format}");

        var jsonl = await RunAsync(s, host, model, folder, images, "jsonl", "jsonl");
        var parquet = await RunAsync(s, host, model, folder, images, "parquet", "parquet");
        Report.Value("jsonl_job_seconds", jsonl.Seconds, "0.00");
        Report.Value("parquet_job_seconds", parquet.Seconds, "0.00");
        Report.Value("jsonl_merge_seconds", jsonl.Merge, "0.000");
        Report.Value("parquet_merge_seconds", parquet.Merge, "0.000");
        Report.Value("parquet_merge_ratio", parquet.Merge / jsonl.Merge, "0.000");
        Report.Value("jsonl_bytes", jsonl.Bytes);
        Report.Value("parquet_bytes", parquet.Bytes);
        Report.Value("parquet_size_ratio", (double)parquet.Bytes / jsonl.Bytes, "0.000");
    }

    /// <summary>One job over <paramref name="folder"/> in <paramref name="format"/>: its seconds, merge seconds and predictions bytes.</summary>
    private static async Task<(double Seconds, double Merge, long Bytes)> RunAsync(
        DataIoBenchmark.Settings s, FairHost host, string model, string folder, int images, string format, string name)
    {
        var job = await DataJob.SubmitAsync(host.Http, name, new { source = folder, model, output = DataIoBenchmark.Output(s, name), format });
        var (seconds, body) = await job.WaitAsync(host, s.Timeout);
        job.ExpectCounts(body, images, failed: 0);
        var summary = DataJob.Summary(body);
        var merge = summary.GetProperty("timingsSeconds").GetProperty("merge").GetDouble();
        var bytes = DataJob.PredictionsBytes(body);
        Report.Log($"{name}: {seconds:0.00}s, merge {merge:0.000}s, {bytes} bytes in {Path.GetFileName(body.GetProperty("output").GetProperty("predictions").GetString())}, timings {summary.GetProperty("timingsSeconds")}");
        return (seconds, merge, bytes);
    }
}
