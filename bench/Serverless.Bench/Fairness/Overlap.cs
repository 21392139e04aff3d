namespace Serverless.Bench;

/// <summary>
/// Two jobs submitted together, polled in the same rounds: their images/s over the time both ran,
/// from the submissions to the first round in which one of them had done all its images (its
/// merge and completion after that are not classifying, and the other job then has the workers
/// to itself).
/// </summary>
internal static class Overlap
{
    /// <summary>One polling round: its start (seconds on the shared clock) and each job's done count then.</summary>
    public readonly record struct Round(double Seconds, long DoneA, long DoneB);

    /// <summary>The overlap's length and each job's images/s over it (both count from 0 at <paramref name="submitted"/>); null if neither finished.</summary>
    public static (double Seconds, double RateA, double RateB)? Rates(IReadOnlyList<Round> rounds, double submitted, long totalA, long totalB)
    {
        foreach (var round in rounds)
        {
            if (round.DoneA < totalA && round.DoneB < totalB)
                continue;
            var seconds = round.Seconds - submitted;
            return (seconds, round.DoneA / seconds, round.DoneB / seconds);
        }
        return null;
    }

    /// <summary>
    /// As <see cref="Rates"/> from the first round in which both had done images (both classifying)
    /// instead of the submissions: the share once both run, without the later one's wait to start.
    /// </summary>
    public static (double Seconds, double RateA, double RateB)? SteadyRates(IReadOnlyList<Round> rounds, long totalA, long totalB)
    {
        var both = rounds.Where(r => r.DoneA > 0 && r.DoneB > 0).Take(1).ToList();
        var ends = rounds.Where(r => r.DoneA >= totalA || r.DoneB >= totalB).Take(1).ToList();
        if (both.Count == 0 || ends.Count == 0 || both[0].Seconds >= ends[0].Seconds)
            return null; // one finished before the other had classified anything
        var (first, end) = (both[0], ends[0]);
        var seconds = end.Seconds - first.Seconds;
        return (seconds, (end.DoneA - first.DoneA) / seconds, (end.DoneB - first.DoneB) / seconds);
    }
}
