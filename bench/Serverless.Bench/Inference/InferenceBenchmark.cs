using Microsoft.ML.OnnxRuntime;
using Serverless.Inference;

namespace Serverless.Bench;

/// <summary>
/// bench/run.sh inference: decode cost on one thread, batched inference cost on all cores, the
/// library's overlapped pipeline against the ideal of the two, and against a naive loop.
/// </summary>
internal static class InferenceBenchmark
{
    /// <summary>
    /// fp32 FMA limit of the CPU this runs on (<see cref="CpuLimits"/>): 268.8 GFLOPS on the 2.1 GHz
    /// AVX-512 Intel of DESIGN.md, 156.5 on the 2.45 GHz AVX2 AMD EPYC found on 2026-12-01.
    /// </summary>
    private static readonly double PeakGflops = CpuLimits.Detect().Fp32Gflops;

    public static async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Flag("int8"))
        {
            return await Int8Comparison.RunAsync(args);
        }

        var modelName = args.String("model", "mobilenetv2");
        var batchSize = args.Int("batch-size", 32);
        var repeats = args.Int("repeats", modelName == "resnet50" ? 3 : 5);
        var intraOp = args.OptionalInt("intra-op");
        var decodeParallelism = args.OptionalInt("decode-parallelism");
        var folder = args.String("images", BenchPaths.Photos);
        args.RejectUnknown();

        var cores = Environment.ProcessorCount;
        var (modelPath, gflopPerImage) = BenchModels.Ensure(modelName);
        var options = new InferenceOptions { IntraOpNumThreads = intraOp, DecodeParallelism = decodeParallelism };
        var model = ModelCache.Shared.GetOrLoad(modelPath, options);
        var files = LocalFolderClassifier.EnumerateImageFiles(folder);
        var encoded = files.Select(File.ReadAllBytes).ToArray();
        var n = encoded.Length;
        Report.Log($"{modelName}: {n} images, batch {batchSize}, {cores} cores, intra-op {intraOp?.ToString() ?? "default"}, decode parallelism {decodeParallelism?.ToString() ?? "default"}, {repeats} repeats");

        var tensors = PremadeBatches(model, encoded, batchSize);
        using var classifier = new BatchClassifier(model, batchSize);
        Func<Task>[] phases =
        [
            () => Task.Run(() => DecodeAll(model, encoded)),
            () => Task.Run(() => InferAll(model, tensors)),
            () => ClassifyFolderAsync(classifier, folder, n),
            () => Task.Run(() => Naive(model, files)),
            () => Task.Run(() => DecodeBreakdown.CodecOnly(model.Manifest, encoded)),
        ];
        string[] names = ["decode", "infer", "e2e", "naive", "codec"];

        // Warm up every path once, then interleave the phases round by round, so that the load of
        // other processes on this shared machine hits all of them alike; ratios are taken per round.
        foreach (var phase in phases)
        {
            await phase();
        }

        var samples = names.ToDictionary(x => x, _ => new List<Sample>());
        var efficiencies = new List<double>();
        var speedups = new List<double>();
        for (var round = 0; round < repeats; round++)
        {
            var load = Sample.LoadAverage();
            var took = new Sample[phases.Length];
            for (var p = 0; p < phases.Length; p++)
            {
                took[p] = await Sample.TakeAsync(phases[p]);
                samples[names[p]].Add(took[p]);
            }

            var roundIdeal = n / ((took[0].WallSeconds / cores) + took[1].WallSeconds);
            efficiencies.Add(n / took[2].WallSeconds / roundIdeal);
            speedups.Add(took[3].WallSeconds / took[2].WallSeconds);
            Report.Log($"round {round + 1}/{repeats} (load {load:0.0}): " + string.Join(", ", names.Take(4).Select((x, i) => $"{x} {took[i].WallSeconds * 1000 / n:0.00} ms/img (cpu {took[i].CpuSeconds * 1000 / n:0.00})")) +
                $", efficiency {efficiencies[^1]:0.000}, e2e/naive {speedups[^1]:0.00}");
        }

        foreach (var (_, value) in tensors)
        {
            value.Dispose();
        }

        double MsPerImage(string phase) => 1000 * Measure.Median(samples[phase].Select(x => x.WallSeconds).ToArray()) / n;
        double CpuMsPerImage(string phase) => 1000 * Measure.Median(samples[phase].Select(x => x.CpuSeconds).ToArray()) / n;
        var decodeMs = MsPerImage("decode");
        var inferMs = MsPerImage("infer");
        var e2e = 1000 / MsPerImage("e2e");
        var naive = 1000 / MsPerImage("naive");
        var ideal = 1000 / ((decodeMs / cores) + inferMs);
        var inferImagesPerS = 1000 / inferMs;
        Report.Value("model", modelName);
        Report.Value("images", n);
        Report.Value("batch_size", batchSize);
        Report.Value("cores", cores);
        Report.Value("rounds", repeats);
        Report.Value("decode_ms_per_image", decodeMs);
        Report.Value("infer_ms_per_image", inferMs);
        Report.Value("e2e_images_per_s", e2e, "0.0");
        Report.Value("ideal_images_per_s", ideal, "0.0");
        Report.Value("efficiency", Measure.Median(efficiencies), "0.000");
        Report.Value("naive_images_per_s", naive, "0.0");
        Report.Value("e2e_vs_naive", Measure.Median(speedups), "0.00");
        Report.Value("gflop_per_image", gflopPerImage, "0.000");
        Report.Value("infer_gflops", inferImagesPerS * gflopPerImage, "0.0");
        Report.Value("infer_peak_fraction", inferImagesPerS * gflopPerImage / PeakGflops, "0.000");
        Report.Value("e2e_gflops", e2e * gflopPerImage, "0.0");
        Report.Value("e2e_peak_fraction", e2e * gflopPerImage / PeakGflops, "0.000");

        // CPU seconds per image (all threads): unlike wall time, little affected by other processes.
        // e2e cpu well above decode + infer cpu means threads burn time waiting (spinning) or fighting.
        foreach (var phase in names)
        {
            Report.Value($"{phase}_cpu_ms_per_image", CpuMsPerImage(phase));
        }

        // The JPEG codec alone (reduced-scale decode, one thread): the rest of decode_ms_per_image is
        // the resize of the crop window and the tensor write.
        Report.Value("decode_codec_ms_per_image", MsPerImage("codec"));
        Report.Value("load_average", Sample.LoadAverage(), "0.0");
        return 0;
    }

    /// <summary>Decode and preprocess every image on this thread into one reused slot.</summary>
    internal static void DecodeAll(LoadedModel model, byte[][] encoded)
    {
        var slot = new float[model.ElementsPerImage];
        foreach (var bytes in encoded)
        {
            ImagePreprocessor.Preprocess(bytes, model.Manifest, model.Options, slot);
        }
    }

    /// <summary>The images preprocessed into batch tensors of at most <paramref name="batchSize"/> (the last one of its real size).</summary>
    internal static List<(int Count, OrtValue Value)> PremadeBatches(LoadedModel model, byte[][] encoded, int batchSize)
    {
        var batches = new List<(int, OrtValue)>();
        for (var start = 0; start < encoded.Length; start += batchSize)
        {
            var count = Math.Min(batchSize, encoded.Length - start);
            var buffer = new float[count * model.ElementsPerImage];
            for (var i = 0; i < count; i++)
            {
                ImagePreprocessor.Preprocess(encoded[start + i], model.Manifest, model.Options, buffer.AsSpan(i * model.ElementsPerImage, model.ElementsPerImage));
            }

            batches.Add((count, OrtValue.CreateTensorValueFromMemory(buffer, model.InputShape(count))));
        }

        return batches;
    }

    internal static void InferAll(LoadedModel model, List<(int Count, OrtValue Value)> batches)
    {
        using var runOptions = new RunOptions();
        foreach (var (_, value) in batches)
        {
            using var outputs = model.Session.Run(runOptions, [model.Signature.InputName], [value], [model.Signature.OutputName]);
        }
    }

    internal static async Task ClassifyFolderAsync(BatchClassifier classifier, string folder, int expected)
    {
        var count = 0;
        await foreach (var prediction in LocalFolderClassifier.ClassifyAsync(classifier, folder))
        {
            if (!prediction.Succeeded)
            {
                throw new InvalidOperationException($"{prediction.Key}: {prediction.Error}");
            }

            count++;
        }

        if (count != expected)
        {
            throw new InvalidOperationException($"{count} predictions for {expected} images.");
        }
    }

    /// <summary>The plain loop a first version would write: read, decode, run one image, top-5.</summary>
    private static void Naive(LoadedModel model, IReadOnlyList<string> files)
    {
        var buffer = new float[model.ElementsPerImage];
        using var value = OrtValue.CreateTensorValueFromMemory(buffer, model.InputShape(1));
        using var runOptions = new RunOptions();
        foreach (var file in files)
        {
            ImagePreprocessor.Preprocess(File.ReadAllBytes(file), model.Manifest, model.Options, buffer);
            using var outputs = model.Session.Run(runOptions, [model.Signature.InputName], [value], [model.Signature.OutputName]);
            TopK.Select(outputs[0].GetTensorDataAsSpan<float>(), 5, !model.Manifest.OutputIsProbabilities, model.LabelOf);
        }
    }
}
