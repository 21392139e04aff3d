using Serverless.TestSupport;

namespace Serverless.Bench;

/// <summary>
/// dataio part rerun (redrive): a job over a copy of N tiny images of which M, spread evenly, hold
/// bytes that do not decode (the file's first 8 bytes, its format's signature, then zeros); once
/// it ended, those M are written back whole under the same keys and <c>POST
/// api/jobs/{id}/rerun {"failed": true}</c> starts the rerun, polled until it ends. What the rerun
/// classified is the engine's count: its status's <c>customStatus.done</c> (the images its units
/// classified) and its summary.json's <c>total</c>, checked against the rows of its predictions.
/// </summary>
internal static class RerunPart
{
    public static async Task RunAsync(DataIoBenchmark.Settings s)
    {
        var (images, broken) = (s.RerunImages, s.RerunFailed);
        var folder = Path.Combine(s.Data, "rerun-images");
        var originals = Prepare(ScaleBenchmark.TinyImages(images), folder, broken);
        Report.Value("rerun_images", images);
        await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(s.Data, "azurite-rerun"));
        await using var host = await FairHost.StartAsync(azurite, "rerun", scheduler: true, slots: null, imagesPerTask: null);

        var parent = await DataJob.SubmitAsync(host.Http, "rerun-parent",
            new { source = folder, model = DataIoBenchmark.TinyModel(), output = DataIoBenchmark.Output(s, "rerun-parent") });
        var (parentSeconds, parentBody) = await parent.WaitAsync(host, s.Timeout);
        var parentOutput = parentBody.GetProperty("output");
        var parentFailed = parentOutput.GetProperty("failed").GetInt64();
        Report.Log($"rerun-parent: {parentSeconds:0.00}s, {parentFailed} failed ({parentOutput.GetProperty("failuresByReason")})");

        foreach (var (path, bytes) in originals)
            await File.WriteAllBytesAsync(path, bytes);
        var rerun = await DataJob.RerunAsync(host.Http, "rerun", parent.Id, new { failed = true });
        var (seconds, body) = await rerun.WaitAsync(host, s.Timeout);
        var progress = body.GetProperty("customStatus");
        var output = body.GetProperty("output");
        var summary = DataJob.Summary(body);
        var classified = progress.GetProperty("done").GetInt64();
        var rows = File.ReadLines(output.GetProperty("predictions").GetString()!).LongCount(l => l.Length > 0);
        if (output.GetProperty("parentJob").GetString() != parent.Id)
            throw new InvalidOperationException($"rerun: the rerun's output names parent {output.GetProperty("parentJob")}, not {parent.Id}");

        Report.Value("rerun_broken", broken);
        Report.Value("rerun_parent_seconds", parentSeconds, "0.00");
        Report.Value("rerun_parent_failed", parentFailed);
        Report.Value("rerun_classified", classified);
        Report.Value("rerun_summary_total", summary.GetProperty("total").GetInt64());
        Report.Value("rerun_failed_again", output.GetProperty("failed").GetInt64());
        Report.Value("rerun_rows", rows);
        Report.Value("rerun_seconds", seconds, "0.00");
        Report.Value("rerun_exact", (parentFailed == broken && classified == broken && rows == broken
            && summary.GetProperty("total").GetInt64() == broken && output.GetProperty("failed").GetInt64() == 0).ToString().ToLowerInvariant());
    }

    /// <summary>
    /// Copies <paramref name="cached"/> into <paramref name="folder"/> (the cached folder stays
    /// whole for the other parts) and breaks <paramref name="broken"/> of its files, spread evenly
    /// over the name order; answers their paths and whole bytes, to write back for the rerun.
    /// </summary>
    private static List<(string Path, byte[] Bytes)> Prepare(string cached, string folder, int broken)
    {
        Directory.CreateDirectory(folder);
        var names = Directory.EnumerateFiles(cached).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        foreach (var name in names)
            File.Copy(Path.Combine(cached, name!), Path.Combine(folder, name!));
        var originals = new List<(string, byte[])>(broken);
        for (var i = 0; i < broken; i++)
        {
            var path = Path.Combine(folder, names[(int)((long)i * names.Count / broken)]!);
            var bytes = File.ReadAllBytes(path);
            originals.Add((path, bytes));
            var corrupt = new byte[bytes.Length];
            bytes.AsSpan(0, Math.Min(8, bytes.Length)).CopyTo(corrupt);
            File.WriteAllBytes(path, corrupt);
        }
        Report.Log($"copied {names.Count} tiny images to {folder}, {broken} of them broken");
        return originals;
    }
}
