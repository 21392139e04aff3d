namespace Serverless.BatchInference.Contracts;

/// <summary>
/// Deterministic names of the result parts, relative to the job's working area (<see cref="JobWorkArea.Part"/>):
/// one per work unit, so a rerun overwrites its part and never adds a second one. A unit split after it
/// crashed its worker gets one part per inference batch, and a batch split again one part per image
/// (<see cref="ForSplit"/>). The same names key the attempt ledger. A part is JSON Lines, except that a
/// unit of a Parquet job writes its rows as Parquet (<see cref="Written"/>), so its merge copies columns
/// instead of parsing JSON.
/// </summary>
public static class PartNames
{
    /// <summary>The part of unit <paramref name="unit"/> of page <paramref name="page"/>.</summary>
    public static string For(int page, int unit) => $"parts/part-{page:D6}-{unit:D5}.jsonl";

    /// <summary>The part of piece <paramref name="index"/> of a split part.</summary>
    public static string ForSplit(string parent, int index) => $"{parent[..^".jsonl".Length]}-{index:D5}.jsonl";

    /// <summary>The object a unit of a job in <paramref name="format"/> writes for <paramref name="part"/>: <c>.parquet</c> for a Parquet job.</summary>
    public static string Written(string part, string format) => format == "parquet" ? $"{part[..^".jsonl".Length]}.parquet" : part;

    /// <summary>The part a page's second pass over its read_failed images writes.</summary>
    public static string ForHeal(int page) => $"parts/heal-{page:D6}.jsonl";
}
