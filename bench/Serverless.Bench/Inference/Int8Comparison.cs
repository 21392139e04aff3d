using Microsoft.ML.OnnxRuntime;
using Serverless.Inference;

namespace Serverless.Bench;

/// <summary>
/// bench/run.sh inference --int8: each zoo model, its head imprinted from the photos
/// (<see cref="BenchModels.EnsureImprinted"/>), and its INT8 version (quantized on the photos on
/// first use, as `make-model --int8` does) in one run, interleaved round by round: end to end
/// (classify path, decode included) and inference only, top-1 agreement on the photos, and the
/// achieved G(FL)OPS as a fraction of the peaks ONNX Runtime itself reaches here (bench/run.sh peak).
/// </summary>
internal static class Int8Comparison
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var models = args.OptionalString("model") is { } one ? [one] : new[] { "resnet50", "mobilenetv2" };
        var batchSize = args.Int("batch-size", 32);
        var repeats = args.Int("repeats", 3);
        var peakSize = args.Int("peak-size", 1024);
        var folder = args.String("images", BenchPaths.Photos);
        args.RejectUnknown();

        var cores = Environment.ProcessorCount;
        var peaks = PeakBenchmark.Measure(peakSize, seconds: 1);
        var fp32Peak = peaks.Where(p => p.Key.StartsWith("fp32_", StringComparison.Ordinal)).Max(p => p.Value);
        var int8Peak = peaks.Where(p => p.Key.StartsWith("int8_", StringComparison.Ordinal)).Max(p => p.Value);
        var cpu = CpuLimits.Detect();
        Report.Value("cpu_isa", cpu.Isa);
        Report.Value("fp32_limit_gflops", cpu.Fp32Gflops, "0.0");
        Report.Value("int8_limit_gops", cpu.Int8AmxGops ?? cpu.Int8VnniGops ?? cpu.Int8NoVnniGops, "0.0");
        Report.Value("fp32_peak_gflops", fp32Peak, "0.0");
        Report.Value("int8_peak_gops", int8Peak, "0.0");
        Report.Value("int8_peak_kernel", peaks.Where(p => p.Key.StartsWith("int8_", StringComparison.Ordinal)).MaxBy(p => p.Value).Key);

        var encoded = LocalFolderClassifier.EnumerateImageFiles(folder).Select(File.ReadAllBytes).ToArray();
        var n = encoded.Length;
        foreach (var name in models)
        {
            var (fp32Path, gflopPerImage) = BenchModels.EnsureImprinted(name);
            var int8Path = SweepBenchmark.Int8Model(fp32Path, folder);

            var fp32 = ModelCache.Shared.GetOrLoad(fp32Path);
            var int8 = ModelCache.Shared.GetOrLoad(int8Path);
            var agreement = await AgreementAsync(fp32, int8, folder, batchSize);

            var tensors = new[] { InferenceBenchmark.PremadeBatches(fp32, encoded, batchSize), InferenceBenchmark.PremadeBatches(int8, encoded, batchSize) };
            using var fp32Classifier = new BatchClassifier(fp32, batchSize);
            using var int8Classifier = new BatchClassifier(int8, batchSize);
            Func<Task>[] phases =
            [
                () => Task.Run(() => InferenceBenchmark.InferAll(fp32, tensors[0])),
                () => Task.Run(() => InferenceBenchmark.InferAll(int8, tensors[1])),
                () => InferenceBenchmark.ClassifyFolderAsync(fp32Classifier, folder, n),
                () => InferenceBenchmark.ClassifyFolderAsync(int8Classifier, folder, n),
                () => Task.Run(() => InferenceBenchmark.DecodeAll(int8, encoded)),
            ];
            foreach (var phase in phases)
            {
                await phase();
            }

            var took = new List<double[]>();
            for (var round = 0; round < repeats; round++)
            {
                var seconds = new double[phases.Length];
                for (var p = 0; p < phases.Length; p++)
                {
                    seconds[p] = (await Sample.TakeAsync(phases[p])).WallSeconds;
                }

                took.Add(seconds);
                Report.Log($"{name} round {round + 1}/{repeats} (load {Sample.LoadAverage():0.0}): infer fp32 {seconds[0] * 1000 / n:0.00} int8 {seconds[1] * 1000 / n:0.00} ms/img, e2e fp32 {seconds[2] * 1000 / n:0.00} int8 {seconds[3] * 1000 / n:0.00} ms/img");
            }

            foreach (var value in tensors.SelectMany(t => t).Select(t => t.Value))
            {
                value.Dispose();
            }

            double Median(Func<double[], double> of) => Measure.Median(took.Select(of).ToArray());
            var inferFp32 = n / Median(t => t[0]);
            var inferInt8 = n / Median(t => t[1]);
            var e2eFp32 = n / Median(t => t[2]);
            var e2eInt8 = n / Median(t => t[3]);
            Report.Value($"{name}_fp32_images_per_s", e2eFp32, "0.0");
            Report.Value($"{name}_int8_images_per_s", e2eInt8, "0.0");
            Report.Value($"{name}_int8_vs_fp32", Median(t => t[2] / t[3]), "0.00");
            Report.Value($"{name}_int8_infer_vs_fp32", Median(t => t[0] / t[1]), "0.00");
            Report.Value($"{name}_fp32_infer_images_per_s", inferFp32, "0.0");
            Report.Value($"{name}_int8_infer_images_per_s", inferInt8, "0.0");
            Report.Value($"{name}_int8_efficiency", Median(t => (n / t[3]) / (n / ((t[4] / cores) + t[1]))), "0.000");
            Report.Value($"{name}_int8_top1_agreement", agreement.Agreement, "0.000");
            Report.Value($"{name}_fp32_top1_classes", agreement.Classes);
            Report.Value($"{name}_fp32_infer_gflops", inferFp32 * gflopPerImage, "0.0");
            Report.Value($"{name}_fp32_infer_peak_fraction", inferFp32 * gflopPerImage / fp32Peak, "0.000");
            Report.Value($"{name}_int8_infer_gops", inferInt8 * gflopPerImage, "0.0");
            Report.Value($"{name}_int8_infer_peak_fraction", inferInt8 * gflopPerImage / int8Peak, "0.000");
        }

        Report.Value("load_average", Sample.LoadAverage(), "0.0");
        return 0;
    }

    /// <summary>Top-1 of the INT8 model against its float model on every photo, and how many classes the float top-1 spreads over.</summary>
    private static async Task<(double Agreement, int Classes)> AgreementAsync(LoadedModel fp32, LoadedModel int8, string folder, int batchSize)
    {
        async Task<int[]> TopOne(LoadedModel model)
        {
            using var classifier = new BatchClassifier(model, batchSize, topK: 1);
            var tops = new List<int>();
            await foreach (var prediction in LocalFolderClassifier.ClassifyAsync(classifier, folder))
            {
                tops.Add(prediction.Succeeded ? prediction.Top[0].Index : -1);
            }

            return tops.ToArray();
        }

        var a = await TopOne(fp32);
        var b = await TopOne(int8);
        return ((double)a.Zip(b).Count(x => x.First == x.Second && x.First >= 0) / a.Length, a.Distinct().Count());
    }
}
