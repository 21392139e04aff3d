using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Serverless.Bench;

/// <summary>
/// bench/run.sh peak: what ONNX Runtime reaches on this CPU with one large operator, fp32 and
/// int8, against the instruction limits of <see cref="CpuLimits"/>. Above the VNNI limit the int8
/// kernel can only be AMX, above the vpmaddubsw limit only VNNI (perf is unavailable here and
/// ORT's profiler names operators, not instructions).
/// </summary>
internal static class PeakBenchmark
{
    public static Task<int> RunAsync(BenchArgs args)
    {
        var size = args.Int("size", 2048);
        var seconds = args.Int("seconds", 2);
        args.RejectUnknown();
        var peaks = Measure(size, seconds);
        foreach (var (key, value) in peaks)
        {
            Report.Value(key, value, "0.0");
        }

        var cpu = CpuLimits.Detect();
        Report.Value("cpu", cpu.Model);
        Report.Value("cpu_isa", cpu.Isa);
        Report.Value("cpu_ghz", cpu.Ghz, "0.00");
        Report.Value("fp32_limit_gflops", cpu.Fp32Gflops, "0.0");
        Report.Value("int8_no_vnni_limit_gops", cpu.Int8NoVnniGops, "0.0");
        if (cpu.Int8VnniGops is { } vnni)
        {
            Report.Value("int8_vnni_limit_gops", vnni, "0.0");
        }

        if (cpu.Int8AmxGops is { } amx)
        {
            Report.Value("int8_amx_limit_gops", amx, "0.0");
        }

        var best = peaks.Where(p => p.Key.StartsWith("int8_", StringComparison.Ordinal)).MaxBy(p => p.Value);
        Report.Value("int8_fastest", best.Key);
        Report.Value("int8_kernel", Kernel(cpu, best.Value));
        Report.Value("fp32_peak_fraction_of_limit", peaks.Where(p => p.Key.StartsWith("fp32_", StringComparison.Ordinal)).Max(p => p.Value) / cpu.Fp32Gflops, "0.000");
        Report.Value("int8_peak_fraction_of_limit", best.Value / (cpu.Int8AmxGops ?? cpu.Int8VnniGops ?? cpu.Int8NoVnniGops), "0.000");
        Report.Value("load_average", Sample.LoadAverage(), "0.0");
        return Task.FromResult(0);
    }

    /// <summary>
    /// Which int8 path the rate shows: above the VNNI limit only AMX can reach it, above the
    /// vpmaddubsw limit only VNNI; each only where the CPU has it (a core boosting above its
    /// nominal clock passes a limit by some percent: measured 333 GOPS against the 313 of
    /// vpmaddubsw on the AVX2-only EPYC).
    /// </summary>
    private static string Kernel(CpuLimits cpu, double gops) =>
        cpu.Amx && gops > (cpu.Int8VnniGops ?? cpu.Int8NoVnniGops) ? "amx (above the VNNI limit)"
        : cpu.Vnni && gops > cpu.Int8NoVnniGops ? "vnni (above the vpmaddubsw limit)"
        : cpu.Vnni || cpu.Amx ? "vpmaddubsw (no faster than its limit, though the cpu has vnni/amx)"
        : "vpmaddubsw (the cpu has neither vnni nor amx)";

    /// <summary>GFLOPS / GOPS of each kernel, keyed fp32_matmul_gflops, int8_matmulinteger_u8s8_gops, ...</summary>
    public static Dictionary<string, double> Measure(int size, int seconds)
    {
        var results = new Dictionary<string, double>(StringComparer.Ordinal);
        var matmulOps = 2.0 * size * size * size;
        var convChannels = 256;
        var convSize = 56;
        var convOps = 2.0 * convChannels * convChannels * 9 * convSize * convSize;
        results["fp32_matmul_gflops"] = Run(KernelModels.MatMul("MatMul", DataType.Float, DataType.Float, size, size, size), DataType.Float, [size, size], matmulOps, seconds);
        results["fp32_conv_gflops"] = Run(KernelModels.Conv("Conv", DataType.Float, DataType.Float, convChannels, convSize), DataType.Float, [1, convChannels, convSize, convSize], convOps, seconds);
        foreach (var (name, a, b) in new[] { ("u8s8", DataType.Uint8, DataType.Int8), ("s8s8", DataType.Int8, DataType.Int8), ("u8u8", DataType.Uint8, DataType.Uint8) })
        {
            results[$"int8_matmulinteger_{name}_gops"] = Run(KernelModels.MatMul("MatMulInteger", a, b, size, size, size), a, [size, size], matmulOps, seconds);
            results[$"int8_qlinearmatmul_{name}_gops"] = Run(KernelModels.MatMul("QLinearMatMul", a, b, size, size, size), a, [size, size], matmulOps, seconds);
            if (name != "u8u8")
            {
                // QLinearConv takes int8 weights only.
                results[$"int8_qlinearconv_{name}_gops"] = Run(KernelModels.Conv("QLinearConv", a, b, convChannels, convSize), a, [1, convChannels, convSize, convSize], convOps, seconds);
            }
        }

        return results;
    }

    /// <summary>Runs the one-operator model for about <paramref name="seconds"/> after a warm-up; the fastest run's G(FL)OPS.</summary>
    private static double Run(byte[] model, DataType input, long[] shape, double ops, int seconds)
    {
        using var options = new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount, InterOpNumThreads = 1 };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        using var session = new InferenceSession(model, options);
        var count = (int)shape.Aggregate(1L, (x, y) => x * y);
        var random = new Random(3);
        using var value = input switch
        {
            DataType.Float => OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => (float)random.NextDouble()).ToArray(), shape),
            DataType.Uint8 => OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => (byte)random.Next(256)).ToArray(), shape),
            _ => OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => (sbyte)random.Next(-128, 128)).ToArray(), shape),
        };
        using var runOptions = new RunOptions();
        var inputName = session.InputNames[0];
        var outputName = session.OutputNames[0];
        session.Run(runOptions, [inputName], [value], [outputName]).Dispose();
        var best = double.MaxValue;
        var total = Stopwatch.StartNew();
        var runs = 0;
        while (total.Elapsed.TotalSeconds < seconds || runs < 3)
        {
            var one = Stopwatch.StartNew();
            session.Run(runOptions, [inputName], [value], [outputName]).Dispose();
            best = Math.Min(best, one.Elapsed.TotalSeconds);
            runs++;
        }

        var rate = ops / best / 1e9;
        Report.Log($"{session.OutputMetadata.Keys.First()} of {shape.Length}-D {input}: {rate:0.0} G/s (best of {runs})");
        return rate;
    }
}
