using Serverless.Inference.Tests.Support;

namespace Serverless.Inference.Tests;

/// <summary>The bytes read ahead of their decode are bounded by a byte budget, not by a count of images.</summary>
[Collection(ModelsCollection.Name)]
public sealed class ReadAheadBudgetTests(ModelFilesFixture models)
{
    private const int ImageBytes = 16 * 1024 * 1024;

    [Fact]
    public async Task Large_images_are_read_a_budget_at_a_time_and_every_one_still_gets_a_row()
    {
        // A budget of four 16 MiB images (a capacity of its own, so no other test shares it), batches of 32.
        var budgetBytes = 4L * ImageBytes + 7;
        using var cache = new ModelCache();
        using var classifier = new BatchClassifier(cache.GetOrLoad(models.DominantColor, InferenceOptions.Default with { ReadAheadBytes = budgetBytes }), batchSize: 32);
        var inFlight = 0;
        var most = 0;
        var inputs = Enumerable.Range(0, 40).Select(i => new ImageInput($"big-{i}", async ct =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            await Task.Delay(20, ct);
            Interlocked.Decrement(ref inFlight);
            // Not an image: it fails at decode, after its bytes were held.
            return new byte[ImageBytes];
        }) { Size = ImageBytes }).ToArray();

        var predictions = await classifier.ClassifyAsync(inputs, CancellationToken.None);

        Assert.Equal(40, predictions.Count);
        Assert.All(predictions, p => Assert.NotNull(p.Error));
        Assert.InRange(most, 1, 4);
        Assert.InRange(classifier.ReadAhead.Peak, ImageBytes, budgetBytes);
        Assert.Equal(0, classifier.ReadAhead.Used);
    }

    [Fact]
    public async Task An_image_larger_than_the_whole_budget_takes_all_of_it_and_does_not_wait_for_ever()
    {
        var budget = new ByteBudget(100);
        using (var all = await budget.AcquireAsync(1000, CancellationToken.None))
        {
            Assert.Equal(100, all.Bytes);
            var next = budget.AcquireAsync(1, CancellationToken.None).AsTask();
            await Task.Delay(50);
            Assert.False(next.IsCompleted);
            all.Dispose();
            using var granted = await next.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(1, budget.Used);
        }
        Assert.Equal(0, budget.Used);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
