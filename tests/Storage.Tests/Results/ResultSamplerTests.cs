using Serverless.Storage.Results;

namespace Serverless.Storage.Tests.Results;

/// <summary>The sample rows of a job (samples.json): bounded, the same whatever the order of the rows, classified and failed apart.</summary>
public sealed class ResultSamplerTests
{
    [Fact]
    public void The_sample_is_bounded_and_does_not_depend_on_the_order_of_the_rows()
    {
        var rows = Enumerable.Range(0, 5000).Select(i => i % 10 == 0
            ? PredictionRow.Failure($"img/{i:D5}.jpg", "corrupt_image", new string('m', 1000))
            : PredictionRow.Success($"img/{i:D5}.jpg", [new LabelScore(1, "cat", 0.9f), new LabelScore(2, "dog", 0.1f)])).ToList();

        var forward = Sample(rows);
        var backward = Sample(Enumerable.Reverse(rows));
        var shuffled = Sample(rows.OrderBy(r => r.Key.GetHashCode(StringComparison.Ordinal)));

        Assert.Equal(ResultSampler.DefaultClassified, forward.Classified.Count);
        Assert.Equal(ResultSampler.DefaultFailed, forward.Failed.Count);
        Assert.Equal(forward.Classified.Select(r => r.Key), backward.Classified.Select(r => r.Key));
        Assert.Equal(forward.Failed.Select(r => r.Key), shuffled.Failed.Select(r => r.Key));
        Assert.All(forward.Classified, r => Assert.Equal(["cat"], r.Top.Select(t => t.Label)));
        Assert.All(forward.Failed, r => Assert.True(r.Failed && r.ErrorMessage!.Length < 400));
        // Spread over the whole job, not its first rows.
        Assert.True(string.CompareOrdinal(forward.Classified.Max(r => r.Key), "img/02500") > 0 && string.CompareOrdinal(forward.Classified.Min(r => r.Key), "img/02500") < 0);
    }

    [Fact]
    public void Wants_says_whether_a_row_would_enter_the_sample()
    {
        // A merge builds only the rows the sample wants: Wants must agree with what Add keeps.
        var sampler = new ResultSampler(classified: 3, failed: 1);
        foreach (var i in Enumerable.Range(0, 200))
        {
            var row = i % 4 == 0 ? PredictionRow.Failure($"f{i}.jpg", "decode_failed", "no") : PredictionRow.Success($"k{i}.jpg", [new LabelScore(0, "x", 1)]);
            var wanted = sampler.Wants(KeyHash.Of(row.Key), row.Failed);
            var before = sampler.ToSamples();
            sampler.Add(row);
            var kept = sampler.ToSamples().Classified.Concat(sampler.ToSamples().Failed).Any(r => r.Key == row.Key);
            Assert.Equal(wanted, kept);
            if (!wanted)
                Assert.Equal(before.ToJson(), sampler.ToSamples().ToJson());
        }
        Assert.False(sampler.Wants(KeyHash.Of(sampler.ToSamples().Classified[0].Key), isFailed: false)); // already in it
    }

    [Fact]
    public void A_key_seen_twice_is_sampled_once_and_a_small_job_is_sampled_whole()
    {
        var sampler = new ResultSampler();
        sampler.Add(PredictionRow.Success("a.jpg", [new LabelScore(0, "x", 1)]));
        sampler.Add(PredictionRow.Success("a.jpg", [new LabelScore(0, "x", 1)]));
        sampler.Add(PredictionRow.Failure("b.jpg", "empty_file", "the file is empty."));
        var samples = sampler.ToSamples();

        Assert.Equal(["a.jpg"], samples.Classified.Select(r => r.Key));
        Assert.Equal(["b.jpg"], samples.Failed.Select(r => r.Key));
        Assert.True(samples.Contains("b.jpg") && !samples.Contains("c.jpg"));
        var parsed = ResultSamples.Parse(samples.ToJson());
        Assert.Equal(samples.Classified.Single().Key, parsed.Classified.Single().Key);
        Assert.Equal("empty_file", parsed.Failed.Single().ErrorCode);
        Assert.Throws<FormatException>(() => ResultSamples.Parse("{\"classified\": 3}"u8));
    }

    private static ResultSamples Sample(IEnumerable<PredictionRow> rows)
    {
        var sampler = new ResultSampler();
        foreach (var row in rows)
            sampler.Add(row);
        return sampler.ToSamples();
    }
}
