using System.Globalization;

namespace Serverless.Bench;

/// <summary>
/// The arithmetic limits of the CPU the benchmark runs on, from its /proc/cpuinfo flags and clock
/// (the nominal "cpu MHz" of a VM: a core boosting above it can pass the limit a little). Each
/// assumes 2 vector multiply pipes per core, as on current Intel and AMD server cores:
/// fp32: lanes x 2 (FMA) per pipe; int8 without VNNI: vpmaddubsw + vpmaddwd take 2 uops per
/// 32 (AVX2) or 64 (AVX-512) u8 x s8 products; VNNI: one vpdpbusd per 32 / 64; AMX: 1024 per
/// cycle from TMUL. The machines of this project have changed under it (DESIGN.md describes an
/// Intel with AVX-512 and AMX; bench runs on 2026-12-01 found an AMD EPYC with AVX2 only), so
/// the benchmark reads the CPU instead of trusting a constant.
/// </summary>
internal sealed record CpuLimits(string Model, IReadOnlySet<string> Flags, double Ghz, int Cores)
{
    public static CpuLimits Detect()
    {
        var lines = File.Exists("/proc/cpuinfo") ? File.ReadAllLines("/proc/cpuinfo") : [];
        string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "";
        var flags = Field("flags").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var mhz = double.TryParse(Field("cpu MHz"), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m : 2000;
        return new CpuLimits(Field("model name"), flags, mhz / 1000, Environment.ProcessorCount);
    }

    public bool Avx512 => Flags.Contains("avx512f");

    public bool Vnni => Flags.Contains("avx512_vnni") || Flags.Contains("avx_vnni");

    public bool Amx => Flags.Contains("amx_int8");

    /// <summary>The vector instruction sets that matter here, as the flags name them.</summary>
    public string Isa => string.Join(' ', new[] { "avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8" }.Where(Flags.Contains));

    private int Lanes => Avx512 ? 16 : 8;

    public double Fp32Gflops => Cores * Ghz * 2 * Lanes * 2;

    /// <summary>u8 x s8 through vpmaddubsw + vpmaddwd (2 uops per 4 x lanes products).</summary>
    public double Int8NoVnniGops => Cores * Ghz * 2 * (4 * Lanes) / 2 * 2;

    public double? Int8VnniGops => Vnni ? Cores * Ghz * 2 * (4 * Lanes) * 2 : null;

    public double? Int8AmxGops => Amx ? Cores * Ghz * 1024 * 2 : null;
}
