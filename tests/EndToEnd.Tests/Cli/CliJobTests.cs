using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Cli;

/// <summary>
/// The real `serverless` client commands against real hosts: exit codes of `status` and `submit --wait`
/// for jobs that complete, fail or are terminated, `results` of a failed job, `terminate` and `purge`,
/// Ctrl+C while following a job, and errors (host answers, storage) as one line on stderr.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class CliJobTests(JobStack stack)
{
    [Fact]
    public async Task A_completed_job_exits_0_and_its_results_come_from_storage_or_one_line_when_storage_fails()
    {
        var host = await stack.SharedHostAsync();
        await stack.UploadSyntheticImagesAsync("cli/done/", 6, seed: 41);
        var cli = CliEnv(host);

        var (exitCode, stdout, stderr) = await Cli(["submit", $"s3://{JobStack.Bucket}/cli/done/", "--model", stack.DominantColor, "--out", $"s3://{JobStack.Bucket}/results/cli-done", "--wait"], cli);
        Assert.True(exitCode == 0, stderr);
        var id = SubmittedId(stderr);
        Assert.Contains($"job {id}: Completed", stdout);

        (exitCode, stdout, _) = await Cli(["status", id], cli);
        Assert.Equal(0, exitCode);
        (exitCode, stdout, _) = await Cli(["status", id, "-o", "json"], cli);
        Assert.Equal(0, exitCode);
        Assert.Equal("Completed", JsonSerializer.Deserialize<JsonElement>(stdout).GetProperty("runtimeStatus").GetString());

        (exitCode, stdout, stderr) = await Cli(["results", id], cli);
        Assert.True(exitCode == 0, stderr);
        Assert.Empty(stderr);
        Assert.Equal(6, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // Storage that cannot be reached (after the retries) is one line naming the object.
        var noStorage = new Dictionary<string, string>(cli) { ["AWS_ENDPOINT_URL_S3"] = $"http://127.0.0.1:{FreePort.Next()}" };
        (exitCode, stdout, stderr) = await Cli(["results", id], noStorage);
        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        CliAssert.OneLine(stderr, $"storage: s3://{JobStack.Bucket}/results/cli-done/predictions.jsonl: storage unavailable");

        // An error answer of the host is its status and problem details, on one line.
        (exitCode, _, stderr) = await Cli(["submit", $"s3://{JobStack.Bucket}/cli/done/", "--model", "no-such-model.onnx"], cli);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, "400 Bad Request: The job request is not valid. model: ");
    }

    [Fact]
    public async Task A_failed_job_exits_1_and_results_prints_what_it_wrote_with_one_warning()
    {
        var host = await stack.SharedHostAsync();
        using var folder = new TempDir("cli-bad");
        var bad = BadFiles.Write(folder.Path, Directory.GetFiles(RepoPaths.ImagenetSample200).Order(StringComparer.Ordinal).First());
        await stack.UploadFolderAsync(folder.Path, $"s3://{JobStack.Bucket}/cli/bad/");
        var cli = CliEnv(host);

        var (exitCode, stdout, stderr) = await Cli(["submit", $"s3://{JobStack.Bucket}/cli/bad/", "--model", stack.DominantColor, "--max-failed", "1", "--out", $"s3://{JobStack.Bucket}/results/cli-bad", "--wait"], cli);
        Assert.True(exitCode == 1, $"{exitCode}: {stdout}\n{stderr}");
        var id = SubmittedId(stderr);
        Assert.Contains($"job {id}: Failed", stdout);
        Assert.Contains("error threshold exceeded", stdout);

        (exitCode, stdout, _) = await Cli(["status", id], cli);
        Assert.Equal(1, exitCode);
        Assert.Contains("Failed", stdout);

        (exitCode, stdout, stderr) = await Cli(["results", id], cli);
        Assert.True(exitCode == 0, stderr);
        CliAssert.OneLine(stderr, $"job {id} is Failed (error threshold exceeded", prefix: "warning: ");
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<JsonElement>(l)).ToList();
        Assert.InRange(rows.Count, 2, bad.Count);
        Assert.All(rows, r => Assert.Contains(r.GetProperty("errorCode").GetString(), bad.Values));
    }

    [Fact]
    public async Task Terminate_then_purge_a_running_job_and_each_refusal_is_one_line()
    {
        var host = await stack.SharedHostAsync();
        var cli = CliEnv(host);
        // 200 photographs through MobileNetV2, one per batch: running far longer than the commands below take to reach it,
        // with little left in flight to finish after the terminate (a batch that has started runs to its end).
        var (exitCode, stdout, stderr) = await Cli(["submit", $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}", "--model", stack.MobileNet, "--batch-size", "1", "--out", $"s3://{JobStack.Bucket}/results/cli-terminated"], cli);
        Assert.True(exitCode == 0, stderr);
        var id = stdout.Trim();

        (exitCode, stdout, stderr) = await Cli(["terminate", id, "--reason", "wrong model", "--wait"], cli);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal($"job {id} terminated", stdout.Trim());
        (exitCode, stdout, _) = await Cli(["status", id], cli);
        Assert.Equal(1, exitCode);
        Assert.Contains($"job {id}: Terminated", stdout);

        (exitCode, _, stderr) = await Cli(["terminate", id], cli);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, "410 Gone: The job has already ended.");
        (exitCode, stdout, stderr) = await Cli(["results", id], cli);
        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        CliAssert.OneLine(stderr, $"job {id} is Terminated and wrote no predictions");
        // Terminate and purge need the master key: a function key is the host's 403, on one line.
        (exitCode, _, stderr) = await Cli(["purge", id, "--key", JobStack.FunctionKey], cli);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, "403 Forbidden: ");

        (exitCode, stdout, stderr) = await Cli(["purge", id], cli);
        Assert.True(exitCode == 0, stderr);
        Assert.Matches($@"^job {id} purged \([1-9][0-9]* instances deleted\)$", stdout.Trim());
        (exitCode, _, stderr) = await Cli(["purge", id], cli);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, "404 Not Found: No such job.");
        (exitCode, _, stderr) = await Cli(["status", id], cli);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, $"no job with id '{id}'");
    }

    [Fact]
    public async Task A_job_not_started_exits_3_cannot_be_purged_and_ctrl_c_stops_following_it_with_130()
    {
        // An API without workers: the job stays Pending for as long as the test needs.
        await using var api = await HostProcess.StartAsync("api", stack.HostEnvironment("CliPending"));
        var cli = CliEnv(api);
        string[] submit = ["submit", $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}", "--model", stack.DominantColor];
        var (exitCode, stdout, stderr) = await Cli(submit, cli);
        Assert.True(exitCode == 0, stderr);
        var id = stdout.Trim();

        (exitCode, stdout, _) = await Cli(["status", id], cli);
        Assert.Equal(3, exitCode);
        Assert.Contains($"job {id}: Pending", stdout);
        (exitCode, _, stderr) = await Cli(["purge", id], cli);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, "412 Precondition Failed: The job is still running.");

        using (var wait = HostProcess.StartCli(["status", id, "--wait"], cli))
        {
            await wait.WaitForStdErrAsync(l => l.StartsWith("pending:", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            wait.Interrupt();
            Assert.Equal(130, await wait.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            CliAssert.OneLine(wait.StdErr, $"job {id} keeps running", prefix: "interrupted: ", afterProgress: true);
        }

        using (var submitAndWait = HostProcess.StartCli([.. submit, "--wait"], cli))
        {
            var submitted = await submitAndWait.WaitForStdErrAsync(l => l.StartsWith("submitted job ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            submitAndWait.Interrupt();
            Assert.Equal(130, await submitAndWait.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            CliAssert.OneLine(submitAndWait.StdErr, $"job {submitted["submitted job ".Length..]} keeps running", prefix: "interrupted: ", afterProgress: true);
        }
    }

    private static Dictionary<string, string> CliEnv(HostProcess host, string key = JobStack.MasterKey) => new()
    {
        ["SERVERLESS_URL"] = host.BaseUrl.ToString(),
        ["SERVERLESS_KEY"] = key,
    };

    /// <summary>Runs the CLI with the stack's storage settings (for `results`) and <paramref name="environment"/>.</summary>
    private Task<(int ExitCode, string StdOut, string StdErr)> Cli(string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var merged = new Dictionary<string, string>(stack.StorageEnvironment);
        foreach (var (name, value) in environment)
            merged[name] = value;
        return HostProcess.RunCliAsync(args, merged, TimeSpan.FromMinutes(3));
    }

    private static string SubmittedId(string stderr) =>
        stderr.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("submitted job ", StringComparison.Ordinal))["submitted job ".Length..];
}
