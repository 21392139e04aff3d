namespace Serverless.BatchInference.Contracts;

/// <summary>
/// Deterministic names (always JSON Lines; the merge writes the job's format) of the per-batch result parts: a rerun of a batch overwrites its part,
/// never adds a second one, and the merge finds every part from (page, batch) alone.
/// </summary>
public static class PartNames
{
    public static string For(int page, int batch) => $"parts/part-{page:D6}-{batch:D5}.jsonl";

    /// <summary>A batch split after a crash gets one part per image.</summary>
    public static string ForSplit(int page, int batch, int item) => $"parts/part-{page:D6}-{batch:D5}-{item:D5}.jsonl";
}
