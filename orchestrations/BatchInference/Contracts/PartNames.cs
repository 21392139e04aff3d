namespace Serverless.BatchInference.Contracts;

/// <summary>
/// Deterministic names (always JSON Lines; the merge writes the job's format) of the result parts,
/// relative to the job's working area (<see cref="JobWorkArea.Part"/>): one per work unit, so a rerun
/// overwrites its part and never adds a second one. A unit split after it crashed its worker gets
/// one part per inference batch, and a batch split again one part per image (<see cref="ForSplit"/>).
/// The same names key the attempt ledger.
/// </summary>
public static class PartNames
{
    /// <summary>The part of unit <paramref name="unit"/> of page <paramref name="page"/>.</summary>
    public static string For(int page, int unit) => $"parts/part-{page:D6}-{unit:D5}.jsonl";

    /// <summary>The part of piece <paramref name="index"/> of a split part.</summary>
    public static string ForSplit(string parent, int index) => $"{parent[..^".jsonl".Length]}-{index:D5}.jsonl";

    /// <summary>The part a page's second pass over its read_failed images writes.</summary>
    public static string ForHeal(int page) => $"parts/heal-{page:D6}.jsonl";
}
