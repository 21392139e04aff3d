namespace Serverless.BatchInference.Contracts;

/// <summary>
/// Deterministic names of the per-batch result parts: a rerun of a batch overwrites its part,
/// never adds a second one, and the merge finds every part from (page, batch) alone.
/// </summary>
public static class PartNames
{
    public static string For(int page, int batch, string format) => $"parts/part-{page:D6}-{batch:D5}.{format}";

    /// <summary>A batch split after a crash gets one part per image.</summary>
    public static string ForSplit(int page, int batch, int item, string format) => $"parts/part-{page:D6}-{batch:D5}-{item:D5}.{format}";
}
