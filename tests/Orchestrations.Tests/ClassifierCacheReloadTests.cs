using Serverless.Inference;
using Serverless.Jobs.Classification;
using Serverless.ModelZoo;
using Serverless.TestSupport;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// A model file replaced under the same path (an operator updating a shared volume) serves the
/// next batch, never one already running: the lease in use keeps the old classifier, which is
/// disposed with its model when released.
/// </summary>
public sealed class ClassifierCacheReloadTests : IDisposable
{
    private readonly TempDir root = new("reload");

    [Fact]
    public async Task A_replaced_model_file_serves_the_next_lease_and_the_running_one_keeps_the_old()
    {
        var path = Path.Combine(root.Path, "dominant-color.onnx");
        ModelZooWriter.Write("dominant-color", path);
        using var models = new ModelCache { Log = _ => { } };
        using var classifiers = new ClassifierCache(8, models.DisposeIfRetired);
        ClassifierLease Rent() => classifiers.Rent(new ClassifierKey(path, null, 2, 1, ModelFileVersion.Of(path)),
            () => new BatchClassifier(models.GetOrLoad(path), 2, 1));

        var running = Rent();
        var oldModel = running.Classifier.Model;
        Replace(path);

        using (var next = Rent())
        {
            Assert.NotSame(running.Classifier, next.Classifier);
            Assert.NotSame(oldModel, next.Classifier.Model);
            Assert.NotEqual(running.ModelSha256, next.ModelSha256);
            Assert.Equal(2, models.LoadCount);
            Assert.Equal(Sha256(path), next.ModelSha256);

            // The batch that was running still classifies on the old session.
            Assert.True(models.IsRetired(oldModel));
            var predictions = await running.Classifier.ClassifyAsync([new ImageInput("red.png", RedPng())], CancellationToken.None);
            Assert.Equal("red", Assert.Single(predictions).Top[0].Label);
        }

        running.Dispose();

        // Released: the old classifier and its model are disposed (no longer retired-and-waiting); the new one stays cached.
        Assert.False(models.IsRetired(oldModel));
        Assert.Equal(1, classifiers.Count);
        using var again = Rent();
        Assert.Equal(2, models.LoadCount);
    }

    [Fact]
    public void An_unchanged_file_keeps_its_classifier()
    {
        var path = Path.Combine(root.Path, "dominant-color.onnx");
        ModelZooWriter.Write("dominant-color", path);
        using var models = new ModelCache { Log = _ => { } };
        using var classifiers = new ClassifierCache(8, models.DisposeIfRetired);
        var key = new ClassifierKey(path, null, 2, 1, ModelFileVersion.Of(path));

        BatchClassifier first, second;
        using (var a = classifiers.Rent(key, () => new BatchClassifier(models.GetOrLoad(path), 2, 1)))
            first = a.Classifier;
        using (var b = classifiers.Rent(key with { Version = ModelFileVersion.Of(path) }, () => new BatchClassifier(models.GetOrLoad(path), 2, 1)))
            second = b.Classifier;

        Assert.Same(first, second);
        Assert.Equal(1, models.LoadCount);
    }

    public void Dispose() => root.Dispose();

    // The same model with an unknown protobuf field appended (ONNX Runtime ignores it): other bytes, a later time.
    private static void Replace(string path)
    {
        byte[] extra = [0xC2, 0x3E, 4, (byte)'v', (byte)'2', (byte)'!', (byte)'!'];
        var bytes = File.ReadAllBytes(path).Concat(extra).ToArray();
        var before = File.GetLastWriteTimeUtc(path);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, before.AddMinutes(1));
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    private static byte[] RedPng()
    {
        using var bitmap = new SkiaSharp.SKBitmap(64, 64);
        bitmap.Erase(SkiaSharp.SKColors.Red);
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
