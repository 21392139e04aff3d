using Microsoft.Extensions.Configuration;
using Microsoft.ML.OnnxRuntime;
using Serverless.Inference;

namespace Serverless.Jobs.Configuration;

/// <summary>
/// Reads host.json's <c>inference</c> section: ONNX Runtime threads and graph optimization, and the
/// declared-size limits of an image (<c>maxDeclaredPixels</c>, <c>maxDeclaredSide</c>). Unset, a
/// session's intra-op threads are the process's CPUs shared among the work units it runs at once
/// (<c>extensions:durableTask:maxConcurrentActivityFunctions</c>): two units each running inference on
/// every core oversubscribed them (the job benchmark on 2 vCPUs, two units at once: host CPU per image
/// 1.17x <c>serverless classify</c>'s with 2 threads a session, 1.07x with 1).
/// </summary>
public static class InferenceOptionsFactory
{
    /// <summary>The options the section sets, the defaults elsewhere.</summary>
    public static InferenceOptions Create(IConfiguration configuration)
    {
        var section = configuration.GetSection("inference");
        var threads = section.GetValue<int?>("intraOpNumThreads");
        var level = section["graphOptimizationLevel"]?.ToLowerInvariant() switch
        {
            null or "" or "all" => GraphOptimizationLevel.ORT_ENABLE_ALL,
            "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
            "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
            "none" or "disabled" => GraphOptimizationLevel.ORT_DISABLE_ALL,
            var other => throw new InvalidOperationException($"inference:graphOptimizationLevel '{other}' is not one of all, extended, basic, none."),
        };
        var units = TaskHubSettings.ConcurrentActivities(configuration);
        var defaults = InferenceOptions.Default;
        var readAhead = section.GetValue<long?>("readAheadBytes") ?? defaults.ReadAheadBytes;
        if (readAhead < 1)
            throw new InvalidOperationException($"inference:readAheadBytes {readAhead} must be at least 1.");
        var maxPixels = section.GetValue<long?>("maxDeclaredPixels") ?? defaults.MaxDeclaredPixels;
        var maxSide = section.GetValue<int?>("maxDeclaredSide") ?? defaults.MaxDeclaredSide;
        if (maxPixels < 1 || maxSide < 1)
            throw new InvalidOperationException($"inference:maxDeclaredPixels ({maxPixels}) and inference:maxDeclaredSide ({maxSide}) must be positive.");

        return defaults with
        {
            IntraOpNumThreads = threads is > 0 ? threads : Math.Max(1, Environment.ProcessorCount / Math.Max(1, units)),
            GraphOptimizationLevel = level,
            ReadAheadBytes = readAhead,
            MaxDeclaredPixels = maxPixels,
            MaxDeclaredSide = maxSide,
        };
    }
}
