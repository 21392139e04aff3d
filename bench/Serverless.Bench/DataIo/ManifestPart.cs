using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Serverless.TestSupport;

namespace Serverless.Bench;

/// <summary>
/// dataio part manifest: a CSV manifest of N rows (one distinct key per row, each a real tiny image
/// of the scale benchmark's folder, with a passthrough column), submitted as <c>manifest</c>; how
/// long from the POST until the first work unit starts. A unit's first act is to count its attempt
/// in the attempt ledger (<c>&lt;Hub&gt;BatchAttempts</c>, partition the job id), so the first
/// row there is the first unit started; polled every 100 ms. The job is terminated once it is seen
/// (and the first image is done): the rest of the manifest is not what is measured.
/// </summary>
internal static class ManifestPart
{
    private static readonly TimeSpan LedgerPoll = TimeSpan.FromMilliseconds(100);

    public static async Task RunAsync(DataIoBenchmark.Settings s)
    {
        var rows = s.ManifestRows;
        var manifest = ManifestFor(ScaleBenchmark.TinyImages(rows));
        Report.Value("manifest_rows", rows);
        await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(s.Data, "azurite-manifest"));
        await using var host = await FairHost.StartAsync(azurite, "manifest", scheduler: true, slots: null, imagesPerTask: null);
        var ledger = new TableServiceClient(azurite.ConnectionString).GetTableClient(host.HubName + "BatchAttempts");

        var job = await DataJob.SubmitAsync(host.Http, "manifest",
            new { manifest, manifestKeyColumn = "key", model = DataIoBenchmark.TinyModel(), output = DataIoBenchmark.Output(s, "manifest") });
        var ledgerSeen = FirstAttemptAsync(ledger, job, s.Timeout);
        var statusSeen = FirstProgressAsync(job, s.Timeout);
        var firstBatch = await ledgerSeen;
        var (firstPage, firstImage) = await statusSeen;
        await job.TerminateAsync();
        Report.Log($"manifest: first unit started {firstBatch:0.00}s after the POST (attempt ledger), first page running at {firstPage:0.00}s, first image done at {firstImage:0.00}s (status); terminated");

        Report.Value("manifest_first_batch_seconds", firstBatch, "0.00");
        Report.Value("manifest_first_page_seconds", firstPage, "0.00");
        Report.Value("manifest_first_image_seconds", firstImage, "0.00");
    }

    /// <summary>
    /// <c>.work/bench/manifest-N.csv</c> (written once): header <c>key,colour</c>, one row per image of
    /// <paramref name="folder"/> in name order, keys relative to the manifest's folder (a local
    /// manifest's keys are), the colour from the file name carried into the rows as a passthrough column.
    /// </summary>
    private static string ManifestFor(string folder)
    {
        var path = Path.Combine(Path.GetDirectoryName(folder)!, $"manifest-{Path.GetFileName(folder)}.csv");
        if (File.Exists(path))
            return path;
        var names = Directory.EnumerateFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var temporary = path + ".tmp";
        using (var writer = new StreamWriter(temporary))
        {
            writer.WriteLine("key,colour");
            foreach (var name in names)
                writer.WriteLine($"{Path.GetFileName(folder)}/{name},{Path.GetFileNameWithoutExtension(name!).Split('_')[^1]}");
        }
        File.Move(temporary, path, overwrite: true);
        Report.Log($"wrote {path} ({names.Count} rows, {new FileInfo(path).Length / 1e6:0.0} MB)");
        return path;
    }

    /// <summary>Seconds from the POST to the first poll that finds an attempt row of the job (the table exists from the first unit on).</summary>
    private static async Task<double> FirstAttemptAsync(TableClient ledger, DataJob job, TimeSpan timeout)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {job.Id}");
        while (job.Elapsed < timeout)
        {
            try
            {
                await foreach (var page in ledger.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"]).AsPages())
                {
                    if (page.Values.Count > 0)
                        return job.Elapsed.TotalSeconds;
                }
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
            {
                // No unit has started on this task hub yet: the ledger's table does not exist.
            }
            await Task.Delay(LedgerPoll);
        }
        throw new TimeoutException($"manifest: no work unit started within {timeout.TotalSeconds:0}s");
    }

    /// <summary>
    /// Seconds from the POST to the first status that shows a page running (<c>phase</c>
    /// <c>classifying</c>) and to the first with an image done (<c>customStatus.done</c>, which
    /// counts the running units' progress rows), polled every 100 ms.
    /// </summary>
    private static async Task<(double FirstPage, double FirstImage)> FirstProgressAsync(DataJob job, TimeSpan timeout)
    {
        var firstPage = double.NaN;
        while (job.Elapsed < timeout)
        {
            var (code, body) = await job.PollAsync();
            var at = job.Elapsed.TotalSeconds;
            if (code == HttpStatusCode.OK)
            {
                // A small manifest may end before a poll saw it run: its end stands for both.
                if (body.GetProperty("runtimeStatus").GetString() != "Completed")
                    throw new InvalidOperationException($"manifest: the job ended: {body}");
                return (double.IsNaN(firstPage) ? at : firstPage, at);
            }
            if (code != HttpStatusCode.Accepted)
                throw new InvalidOperationException($"manifest: status answered {(int)code}: {body}");
            if (body.TryGetProperty("customStatus", out var progress) && progress.ValueKind == JsonValueKind.Object)
            {
                if (double.IsNaN(firstPage) && progress.TryGetProperty("phase", out var phase) && phase.GetString() == "classifying")
                    firstPage = at;
                if (progress.TryGetProperty("done", out var done) && done.ValueKind == JsonValueKind.Number && done.GetInt64() > 0)
                {
                    // Every manifest row names a valid image: a failure (not_found: keys resolved wrongly) voids the figure.
                    if (progress.TryGetProperty("failed", out var failed) && failed.GetInt64() > 0)
                        throw new InvalidOperationException($"manifest: images failed: {progress}");
                    return (double.IsNaN(firstPage) ? at : firstPage, at);
                }
            }
            await Task.Delay(LedgerPoll);
        }
        throw new TimeoutException($"manifest: no image done within {timeout.TotalSeconds:0}s");
    }
}
