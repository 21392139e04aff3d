using Serverless.ModelZoo;

namespace Serverless.Bench;

/// <summary>
/// bench/run.sh dataio (issue 27's targets): the data teams' inputs and outputs measured on
/// real jobs, each part on a `serverless host --role all` child of its own on a fresh Azurite
/// (local folders, <c>jobs__localRoot=/</c>, emulator data and results in /dev/shm):
/// manifest (first batch of a large CSV manifest), parquet (merge time and size against JSONL),
/// rerun (a redrive classifies exactly the failed images) and embeddings (ResNet-50 features
/// against top-k only). A part that fails is logged and the others still run; the exit code says so.
/// </summary>
internal static class DataIoBenchmark
{
    /// <summary>The options every part reads.</summary>
    internal sealed record Settings(
        int ManifestRows, int ParquetImages, int RerunImages, int RerunFailed, int EmbeddingImages,
        int WarmupImages, string EmbeddingFormat, TimeSpan Timeout, string Data);

    private static readonly string[] AllParts = ["manifest", "parquet", "rerun", "embeddings"];

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var parts = args.String("parts", string.Join(',', AllParts)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var settings = new Settings(
            args.Int("manifest-rows", 1_000_000), args.Int("parquet-images", 100_000), args.Int("rerun-images", 100_000),
            args.Int("rerun-failed", 1_000), args.Int("embedding-images", 10_000), args.Int("warmup-images", 200),
            args.String("embedding-format", "jsonl"), TimeSpan.FromSeconds(args.Int("timeout", 3600)), BenchPaths.NewEmulatorData("dataio"));
        args.RejectUnknown();
        if (parts.Length == 0 || parts.Any(p => !AllParts.Contains(p)))
            throw new ArgumentException($"--parts is a list of {string.Join(", ", AllParts)}");
        if (new[] { settings.ManifestRows, settings.ParquetImages, settings.RerunImages, settings.RerunFailed, settings.EmbeddingImages, settings.WarmupImages }.Any(n => n < 1))
            throw new ArgumentException("image and row counts must be at least 1");
        if (settings.RerunFailed >= settings.RerunImages)
            throw new ArgumentException("--rerun-failed must be fewer than --rerun-images");
        if (settings.EmbeddingFormat is not ("jsonl" or "parquet"))
            throw new ArgumentException("--embedding-format must be jsonl or parquet");

        Report.Value("load_average_start", Sample.LoadAverage(), "0.00");
        var failed = false;
        try
        {
            foreach (var part in parts)
            {
                try
                {
                    await (part switch
                    {
                        "manifest" => ManifestPart.RunAsync(settings),
                        "parquet" => ParquetPart.RunAsync(settings),
                        "rerun" => RerunPart.RunAsync(settings),
                        _ => EmbeddingsPart.RunAsync(settings),
                    });
                }
                catch (Exception e) when (e is not ArgumentException)
                {
                    // A part that fails (a job that failed or hung, a host that died) leaves the others to run.
                    Report.Log($"part {part} failed: {e}");
                    failed = true;
                }
            }
        }
        finally
        {
            BenchPaths.DeleteQuietly(settings.Data);
        }
        Report.Value("load_average", Sample.LoadAverage(), "0.00");
        return failed ? 1 : 0;
    }

    /// <summary>The dominant-colour model (inference costs next to nothing on tiny images), written once as the scale benchmark writes it.</summary>
    internal static string TinyModel()
    {
        var model = Path.Combine(BenchPaths.Work, "models", "dominant-color.onnx");
        if (!File.Exists(model))
            ModelZooWriter.Write("dominant-color", model);
        return model;
    }

    /// <summary>A results folder of its own for the job called <paramref name="name"/>.</summary>
    internal static string Output(Settings s, string name) => Path.Combine(s.Data, "results", name);

    /// <summary>The host's last log lines (level Warning) on stderr, when a part wants to show what it said.</summary>
    internal static void LogHostTail(FairHost host)
    {
        var tail = host.OutputTail.Split('\n').Where(l => l.Length > 0).TakeLast(20).ToList();
        if (tail.Count > 0)
            Report.Log($"{host.Name}: the host's last {tail.Count} lines:\n" + string.Join('\n', tail));
    }
}
