using Microsoft.ML.OnnxRuntime;

namespace Serverless.Inference;

/// <summary>
/// Session and preprocessing settings. A record: two equal option sets share one cached model.
/// </summary>
public sealed record InferenceOptions
{
    /// <summary>
    /// ONNX Runtime intra-op threads; null uses <see cref="Environment.ProcessorCount"/>, which .NET
    /// derives from the container's CPU quota (cgroup cpu.max) unlike ORT's own default (host cores).
    /// </summary>
    public int? IntraOpNumThreads { get; init; }

    /// <summary>ONNX Runtime inter-op threads (graphs here are sequential).</summary>
    public int InterOpNumThreads { get; init; } = 1;

    /// <summary>ONNX Runtime graph optimization level.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Largest encoded image accepted, in bytes; larger ones fail with too_large.</summary>
    public long MaxEncodedBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Encoded bytes a process holds between reading images and decoding them, all classifiers
    /// together (<see cref="ByteBudget"/>): reads ahead wait once this much is held, so large images
    /// slow the read-ahead down rather than exhaust memory. At least one image at the limit.
    /// </summary>
    public long ReadAheadBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Largest image accepted, in pixels as the header declares them (checked before any pixel
    /// memory is allocated, so decompression bombs fail with too_large).
    /// </summary>
    public long MaxDecodedPixels { get; init; } = 64_000_000;

    /// <summary>
    /// Largest image accepted, in pixels as the header declares them, whatever scale it would decode
    /// at (too_large before decoding). A JPEG decodes at down to 1/8 in memory of the decoded size,
    /// but its decoder still walks every declared block: a 1 KB file that claims 60,000 x 60,000 cost
    /// 16 s of a core. 250 M pixels passes every phone and camera sensor (108 MP phones,
    /// 200 MP = 16,320 x 12,240, 150 MP medium format).
    /// </summary>
    public long MaxDeclaredPixels { get; init; } = 250_000_000;

    /// <summary>Longest side accepted, in pixels as the header declares them (too_large before decoding): 32,768 passes panoramas and every sensor.</summary>
    public int MaxDeclaredSide { get; init; } = 32_768;

    /// <summary>What transparent pixels are composited on.</summary>
    public AlphaBackground AlphaBackground { get; init; } = AlphaBackground.Black;

    /// <summary>Images decoded at once within a batch; null uses <see cref="Environment.ProcessorCount"/>.</summary>
    public int? DecodeParallelism { get; init; }

    /// <summary>The shared default options.</summary>
    public static InferenceOptions Default { get; } = new();

    internal int EffectiveIntraOpThreads => Math.Max(1, IntraOpNumThreads ?? Environment.ProcessorCount);

    internal int EffectiveDecodeParallelism => Math.Max(1, DecodeParallelism ?? Environment.ProcessorCount);
}
