using System.Net;
using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;
using Serverless.ModelZoo;
using Serverless.Storage;
using Serverless.Storage.Results;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Cli;

/// <summary>
/// Redrive and incremental runs the way a user runs them, on s3rver with a `serverless host`:
/// a Parquet job with bad images, `rerun --failed` after they are fixed (exactly those classified,
/// by the engine's count), `results --merged`, `submit --skip-existing` classifying only what
/// changed (a re-uploaded object has a new ETag), and the rerun route's refusals.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class CliRedriveTests(JobStack stack)
{
    private const string Prefix = "redrive/src/";

    [Fact]
    public async Task Rerun_failed_merged_results_and_skip_existing_on_s3()
    {
        var host = await stack.SharedHostAsync();
        using var folder = new TempDir("redrive");
        SyntheticImages.Write(folder.Path, 6, seed: 97, minSize: 48, maxSize: 64);
        var good = Directory.GetFiles(folder.Path).Order(StringComparer.Ordinal).ToArray();
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "bad_empty.jpg"), []);
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "bad_text.jpg"), "this is not an image");
        await stack.UploadFolderAsync(folder.Path, $"s3://{JobStack.Bucket}/{Prefix}");
        var cli = new Dictionary<string, string>(stack.StorageEnvironment) { ["SERVERLESS_URL"] = host.BaseUrl.ToString(), ["SERVERLESS_KEY"] = JobStack.MasterKey };
        using var jobs = new JobsHttp(host.BaseUrl);

        var parentOut = $"s3://{JobStack.Bucket}/results/redrive";
        var (exitCode, stdout, stderr) = await Cli(["submit", $"s3://{JobStack.Bucket}/{Prefix}", "--model", stack.DominantColor, "--format", "parquet", "--out", parentOut], cli);
        Assert.True(exitCode == 0, stderr);
        var parent = stdout.Trim();
        // A rerun of a job still running is a 409 (the job has 8 images: it is not done by the time this answers).
        var early = await jobs.PostJsonAsync($"api/jobs/{parent}/rerun", new { failed = true });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        var status = await jobs.WaitAsync(parent, TimeSpan.FromMinutes(2), () => host.OutputTail);
        Assert.Equal(2, status.GetProperty("output").GetProperty("failed").GetInt64());

        // Bad reruns: unknown job, reasons that are no error code, no failed: true; each a problem, never a 500.
        Assert.Equal(HttpStatusCode.NotFound, (await jobs.PostJsonAsync("api/jobs/no-such-job/rerun", new { failed = true })).StatusCode);
        var bogus = await jobs.PostJsonAsync($"api/jobs/{parent}/rerun", new { failed = true, reasons = new[] { "bogus" } });
        Assert.Equal(HttpStatusCode.BadRequest, bogus.StatusCode);
        Assert.Contains("'bogus' is not an error code", await bogus.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await jobs.PostJsonAsync($"api/jobs/{parent}/rerun", new { reasons = new[] { "empty_file" } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await jobs.PostRawAsync($"api/jobs/{parent}/rerun", "{not json")).StatusCode);

        // Fixed in place: the rerun classifies exactly the two, and names its parent.
        var store = ResultStoreFactory.Create($"s3://{JobStack.Bucket}/{Prefix}", stack.Connections);
        await store.WriteAsync("bad_empty.jpg", await File.ReadAllBytesAsync(good[0]));
        await store.WriteAsync("bad_text.jpg", await File.ReadAllBytesAsync(good[1]));
        (exitCode, stdout, stderr) = await Cli(["rerun", parent, "--failed", "--reasons", "empty_file,unsupported_format"], cli);
        Assert.True(exitCode == 0, stderr);
        var child = stdout.Trim();
        Assert.DoesNotContain('\n', child);
        var childStatus = await jobs.WaitAsync(child, TimeSpan.FromMinutes(2), () => host.OutputTail);
        Assert.Equal("Completed", childStatus.GetProperty("runtimeStatus").GetString());
        Assert.Equal(2, childStatus.GetProperty("customStatus").GetProperty("done").GetInt64());
        Assert.Equal(parent, childStatus.GetProperty("output").GetProperty("parentJob").GetString());
        var childSummary = await new ResultWriter(ResultStoreFactory.Create($"{parentOut}/reruns/{child}", stack.Connections)).ReadSummaryAsync();
        Assert.Equal((2L, 0L, parent), (childSummary.Total, childSummary.Failed, childSummary.ParentJob));

        (exitCode, stdout, stderr) = await Cli(["results", parent, "--merged"], cli);
        Assert.True(exitCode == 0, stderr);
        var merged = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(PredictionJson.Parse).ToList();
        Assert.Equal(8, merged.Select(r => r.Key).Distinct().Count());
        Assert.Equal(8, merged.Count);
        Assert.DoesNotContain(merged, r => r.Failed);

        // Incremental: the six unchanged images are copied from the Parquet output, the two fixed ones (new ETags) classified.
        var first = await SkipExistingAsync(cli, jobs, host, parentOut, "skip-1");
        Assert.Equal((2L, 6L), first);
        Assert.Equal((0L, 8L), await SkipExistingAsync(cli, jobs, host, $"s3://{JobStack.Bucket}/results/skip-1", "skip-2"));
        await store.WriteAsync(Path.GetFileName(good[3]), await File.ReadAllBytesAsync(good[4]));
        Assert.Equal((1L, 7L), await SkipExistingAsync(cli, jobs, host, $"s3://{JobStack.Bucket}/results/skip-2", "skip-3"));
    }

    /// <summary>Runs the job again over the prefix with --skip-existing; returns (classified, skipped) from its status.</summary>
    private async Task<(long Done, long Skipped)> SkipExistingAsync(Dictionary<string, string> cli, JobsHttp jobs, HostProcess host, string existing, string output)
    {
        var (exitCode, stdout, stderr) = await Cli(["submit", $"s3://{JobStack.Bucket}/{Prefix}", "--model", stack.DominantColor, "--skip-existing", existing,
            "--out", $"s3://{JobStack.Bucket}/results/{output}"], cli);
        Assert.True(exitCode == 0, stderr);
        var status = await jobs.WaitAsync(stdout.Trim(), TimeSpan.FromMinutes(2), () => host.OutputTail);
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        var summary = JsonSerializer.Deserialize<JsonElement>(await ResultStoreFactory.Create($"s3://{JobStack.Bucket}/results/{output}", stack.Connections).ReadAsync(ResultWriter.SummaryName));
        Assert.Equal(8, summary.GetProperty("total").GetInt64());
        Assert.Equal(summary.GetProperty("skipped").GetInt64(), status.GetProperty("customStatus").GetProperty("skipped").GetInt64());
        return (status.GetProperty("customStatus").GetProperty("done").GetInt64(), summary.GetProperty("skipped").GetInt64());
    }

    private static Task<(int ExitCode, string StdOut, string StdErr)> Cli(string[] args, IReadOnlyDictionary<string, string> environment) =>
        HostProcess.RunCliAsync(args, environment, TimeSpan.FromMinutes(3));
}
