namespace Serverless.BatchInference.Contracts;

/// <summary>
/// Where a rerun's images come from: the failed rows (of <paramref name="Reasons"/>; any when empty)
/// of the predictions in <paramref name="ParentOutput"/>. The job's first listing writes them as its
/// manifest (<see cref="JobWorkArea.RerunManifest"/>), so the request that starts a rerun never reads
/// the parent's rows, whatever their number.
/// </summary>
public sealed record RerunSource(string ParentOutput, IReadOnlyList<string> Reasons);
