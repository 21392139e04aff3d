using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Orchestrations.Tests.Support;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// A job lists every key of its source: a file the decoder does not read gets an
/// <c>unsupported_format</c> row (as <c>serverless classify</c> gives it), a key without an extension is
/// classified by its content, and the job's own output inside its source is never listed.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class NoImageVanishesTests(TaskHubHost hub)
{
    [Fact]
    public async Task Heic_tif_and_a_key_without_extension_each_get_a_row()
    {
        var source = hub.WriteImages("vanish-" + Guid.NewGuid().ToString("N")[..6], 10, seed: 81);
        var photo = Directory.GetFiles(source).Order(StringComparer.Ordinal).First();
        File.Copy(photo, Path.Combine(source, "noext"));
        await File.WriteAllBytesAsync(Path.Combine(source, "photo.heic"), [0, 0, 0, 24, .. "ftypheic"u8, 0, 0, 0, 0, .. "mif1heic"u8]);
        await File.WriteAllBytesAsync(Path.Combine(source, "scan.tif"), [.. "II*\0"u8, 8, 0, 0, 0, 0, 0]);
        // The output inside the source: its working area and predictions must not become rows.
        var output = Path.Combine(source, "results");

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = output }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var rows = (await hub.ReadPredictionsAsync(output)).ToDictionary(r => r.Key);
        Assert.Equal(13, rows.Count);
        Assert.Equal("unsupported_format", rows["photo.heic"].ErrorCode);
        Assert.Contains("HEIF", rows["photo.heic"].ErrorMessage);
        Assert.Equal("unsupported_format", rows["scan.tif"].ErrorCode);
        Assert.Contains("TIFF", rows["scan.tif"].ErrorMessage);
        // Sniffed by its content: a JPEG without an extension is classified like its copy.
        Assert.Null(rows["noext"].ErrorCode);
        Assert.Equal(rows[Path.GetFileName(photo)].Top[0].Label, rows["noext"].Top[0].Label);
        Assert.DoesNotContain(rows.Keys, k => k.StartsWith("results/", StringComparison.Ordinal));
        Assert.Equal(2, done.ReadOutputAs<JobOutput>()!.Failed);
    }
}
