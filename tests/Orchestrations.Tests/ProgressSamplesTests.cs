using System.Text.Json;
using Serverless.BatchInference.Contracts;

namespace Serverless.Orchestrations.Tests;

/// <summary>The bounded progress samples and the size of the custom status they travel in (Durable Functions keeps it under ~16 KB).</summary>
public sealed class ProgressSamplesTests
{
    [Fact]
    public void Samples_stay_within_capacity_cover_the_whole_job_and_keep_the_newest()
    {
        var samples = new List<ProgressSample>();
        for (var page = 0; page <= 10_000; page++)
            samples = ProgressSamples.Add(samples, new ProgressSample(page * 2.0, page * 1000L, page));

        Assert.InRange(samples.Count, ProgressSamples.Capacity / 4, ProgressSamples.Capacity);
        Assert.Equal(0, samples[0].Seconds);
        Assert.Equal(20_000, samples[^1].Seconds);
        Assert.True(samples.Zip(samples.Skip(1)).All(p => p.Second.Seconds > p.First.Seconds), "samples out of order");
        // Thinning keeps them evenly spread: no gap is more than a few times the average.
        var gaps = samples.Zip(samples.Skip(1)).Select(p => p.Second.Seconds - p.First.Seconds).ToList();
        Assert.True(gaps.Max() <= 2 * gaps.Average(), $"gaps from {gaps.Min()} to {gaps.Max()}");
    }

    [Fact]
    public void A_sample_at_the_same_time_replaces_the_last_one()
    {
        var samples = ProgressSamples.Add([new ProgressSample(0, 0, 0), new ProgressSample(5, 10, 0)], new ProgressSample(5, 12, 1));
        Assert.Equal([new ProgressSample(0, 0, 0), new ProgressSample(5, 12, 1)], samples);
    }

    [Fact]
    public void Rates_are_steps_between_consecutive_samples()
    {
        var rates = ProgressSamples.Rates([new ProgressSample(0, 0, 0), new ProgressSample(4, 20, 0), new ProgressSample(4, 20, 0), new ProgressSample(6, 30, 1)]);
        Assert.Equal([(0.0, 5.0), (4.0, 5.0), (4.0, 5.0), (6.0, 5.0)], rates);
    }

    [Fact]
    public void The_custom_status_of_a_huge_job_with_long_labels_fits_in_16_KB()
    {
        var samples = new List<ProgressSample>();
        for (var page = 0; page < 5000; page++)
            samples = ProgressSamples.Add(samples, new ProgressSample(page * 123.4, page * 1000L + 999_000_000, page * 7L));
        var histogram = Enumerable.Range(0, 1000).ToDictionary(i => i + new string('x', 500), i => (long)i * 1_000_000);
        var failures = new[] { "empty_file", "unsupported_format", "corrupt_image", "too_large", "read_failed", "decode_failed", "worker_crashed" }
            .ToDictionary(c => c, _ => 123_456_789L);
        var status = new JobProgress("classifying", 5_000_000_000, 123_456_789, 5_000_000_000, 5_000_000_000, 12345.67, 123456.7,
            failures, JobProgress.Top(histogram), samples);

        var bytes = JsonSerializer.SerializeToUtf8Bytes(status, BatchJson.Options).Length;
        Assert.True(bytes < 16 * 1024, $"{bytes} bytes");
        Assert.Equal(JobProgress.TopClassCount, status.TopClasses!.Count);
        Assert.All(status.TopClasses.Keys, label => Assert.True(label.Length <= JobProgress.MaxLabelLength));
        Assert.Equal(999L * 1_000_000, status.TopClasses.Values.First());
    }
}
