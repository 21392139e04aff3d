using System.Diagnostics;
using System.Globalization;
using Serverless.Inference;
using Serverless.Inference.Quantization;

namespace Serverless.Bench;

/// <summary>
/// bench/run.sh sweep: the worker's configuration as a grid, measured on the photos the way a
/// worker runs a job: the images cut into batch parts of <c>batch</c> images (one ClassifyBatch
/// activity each), <c>concurrency</c> parts in flight on one shared model session (the worker's
/// maxConcurrentActivityFunctions), each part classified by the library with <c>intra-op</c> ONNX
/// Runtime threads and <c>decode</c> images decoded at once. Models x precisions x grid; one
/// untimed run per loaded model, then one timed run per point. Prints the table, writes
/// sweep.md and sweep.png under .work/bench/sweep.
/// </summary>
internal static class SweepBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var models = List(args.String("models", "mobilenetv2,resnet50"));
        var precisions = List(args.String("precisions", "fp32,int8"));
        var concurrency = Ints(args.String("concurrency", "1,2"));
        var intraOp = Ints(args.String("intra-op", "1,2"));
        var decode = Ints(args.String("decode", "1,2"));
        var batches = Ints(args.String("batch-sizes", "16,32"));
        var folder = args.String("images", BenchPaths.Photos);
        args.RejectUnknown();

        var files = LocalFolderClassifier.EnumerateImageFiles(folder);
        var inputs = files.Select(f => ImageInput.FromFile(Path.GetFileName(f), f)).ToArray();
        var points = new List<SweepPoint>();
        foreach (var name in models)
        {
            var (fp32Path, _) = BenchModels.EnsureImprinted(name);
            foreach (var precision in precisions)
            {
                var path = precision == "int8" ? Int8Model(fp32Path, folder) : fp32Path;
                foreach (var (t, d) in intraOp.SelectMany(t => decode.Select(d => (t, d))))
                {
                    var model = ModelCache.Shared.GetOrLoad(path, new InferenceOptions { IntraOpNumThreads = t, DecodeParallelism = d });
                    await RunJobAsync(model, inputs, batches.Max(), concurrency.Max()); // warm-up: the arena, the JIT, the page cache
                    foreach (var (b, c) in batches.SelectMany(b => concurrency.Select(c => (b, c))))
                    {
                        var load = Sample.LoadAverage();
                        var seconds = await RunJobAsync(model, inputs, b, c);
                        var point = new SweepPoint(name, precision, c, t, d, b, inputs.Length / seconds, load);
                        points.Add(point);
                        Report.Log($"{point.Key}: {point.ImagesPerSecond:0.0} images/s (load {load:0.0})");
                        Report.Value($"sweep_{point.Key}_images_per_s", point.ImagesPerSecond, "0.0");
                    }
                }
            }
        }

        foreach (var group in points.GroupBy(p => (p.Model, p.Precision)))
        {
            var best = group.MaxBy(p => p.ImagesPerSecond)!;
            Report.Value($"best_{group.Key.Model}_{group.Key.Precision}", $"{best.Config} ({best.ImagesPerSecond.ToString("0.0", CultureInfo.InvariantCulture)} images/s)");
        }

        var outDir = Path.Combine(BenchPaths.Work, "sweep");
        Directory.CreateDirectory(outDir);
        var table = SweepTable.Markdown(points);
        Console.Error.WriteLine(table);
        File.WriteAllText(Path.Combine(outDir, "sweep.md"), table);
        SweepChart.Write(points, Path.Combine(outDir, "sweep.png"));
        Report.Value("table", Path.Combine(outDir, "sweep.md"));
        Report.Value("chart", Path.Combine(outDir, "sweep.png"));
        Report.Value("load_average", Sample.LoadAverage(), "0.0");
        return 0;
    }

    /// <summary>The INT8 model beside the float one, quantized on the photos on first use.</summary>
    internal static string Int8Model(string fp32Path, string folder)
    {
        var int8Path = Path.ChangeExtension(fp32Path, ".int8.onnx");
        if (!File.Exists(int8Path))
        {
            Report.Log($"quantizing {fp32Path} on {folder}");
            ModelQuantizer.Quantize(fp32Path, folder, int8Path, log: Report.Log);
        }

        return int8Path;
    }

    /// <summary>One job: the images in parts of <paramref name="batch"/>, <paramref name="concurrency"/> parts at a time; wall seconds.</summary>
    private static async Task<double> RunJobAsync(LoadedModel model, ImageInput[] inputs, int batch, int concurrency)
    {
        using var classifier = new BatchClassifier(model, batch, topK: 5);
        var parts = inputs.Chunk(batch).ToArray();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int part;
            while ((part = Interlocked.Increment(ref next)) < parts.Length)
            {
                var predictions = await classifier.ClassifyAsync(parts[part]);
                if (predictions.FirstOrDefault(p => !p.Succeeded) is { } failed)
                {
                    throw new InvalidOperationException($"{failed.Key}: {failed.Error}");
                }
            }
        }));
        await Task.WhenAll(workers);
        return clock.Elapsed.TotalSeconds;
    }

    private static string[] List(string csv) => csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int[] Ints(string csv) => List(csv).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}

/// <summary>One measured configuration.</summary>
internal sealed record SweepPoint(string Model, string Precision, int Concurrency, int IntraOp, int Decode, int Batch, double ImagesPerSecond, double Load)
{
    /// <summary>The grid point: concurrent parts, ORT threads, decode parallelism, batch size.</summary>
    public string Config => $"c{Concurrency}_t{IntraOp}_d{Decode}_b{Batch}";

    public string Key => $"{Model}_{Precision}_{Config}";
}
