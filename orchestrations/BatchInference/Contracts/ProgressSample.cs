namespace Serverless.BatchInference.Contracts;

/// <summary>One point of a job's progress: images done and failed <see cref="Seconds"/> after it started.</summary>
public sealed record ProgressSample(double Seconds, long Done, long Failed);

/// <summary>
/// The bounded list of progress samples a job keeps in its custom status (Durable Functions keeps
/// custom status under about 16 KB): when the list is full it is thinned to one sample per time
/// bucket, spread evenly over the whole job, so it stays at most <see cref="Capacity"/> long.
/// Pure functions of their inputs, so an orchestrator's replay computes the same list.
/// </summary>
public static class ProgressSamples
{
    /// <summary>The most samples kept (about 40 bytes of JSON each).</summary>
    public const int Capacity = 100;

    /// <summary>
    /// The images/s chart as steps: the rate between two consecutive samples, held from the first
    /// to the second (a point at each end).
    /// </summary>
    public static List<(double Seconds, double ImagesPerSecond)> Rates(IReadOnlyList<ProgressSample> samples)
    {
        var steps = new List<(double, double)>(2 * samples.Count);
        for (var i = 1; i < samples.Count; i++)
        {
            var dt = samples[i].Seconds - samples[i - 1].Seconds;
            if (dt <= 0)
                continue;
            var rate = Math.Max(0, samples[i].Done - samples[i - 1].Done) / dt;
            steps.Add((samples[i - 1].Seconds, rate));
            steps.Add((samples[i].Seconds, rate));
        }
        return steps;
    }

    /// <summary>A new list: <paramref name="samples"/> with <paramref name="sample"/> appended, thinned when over <paramref name="capacity"/>.</summary>
    public static List<ProgressSample> Add(IReadOnlyList<ProgressSample> samples, ProgressSample sample, int capacity = Capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 3);
        var list = new List<ProgressSample>(samples.Count + 1);
        list.AddRange(samples);
        // A sample no newer than the last one (a turn that changed nothing) replaces it.
        if (list.Count > 0 && list[^1].Seconds >= sample.Seconds)
            list[^1] = sample;
        else
            list.Add(sample);
        if (list.Count <= capacity)
            return list;
        // One sample per time bucket (the bucket's newest), buckets of a power of two seconds, aligned on
        // whole multiples: a wider bucket merges pairs of narrower ones, so repeated thinning stays even.
        var span = list[^1].Seconds - list[0].Seconds;
        var bucket = 1.0;
        while (span / bucket > capacity - 2)
            bucket *= 2;
        var thinned = new List<ProgressSample>(capacity) { list[0] };
        for (var i = 1; i < list.Count; i++)
            if (i == list.Count - 1 || Math.Floor(list[i + 1].Seconds / bucket) != Math.Floor(list[i].Seconds / bucket))
                thinned.Add(list[i]);
        return thinned;
    }
}
