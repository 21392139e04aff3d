using Serverless.Storage.Results;
using System.Diagnostics;
using Serverless.EndToEnd.Tests.Support;
using Serverless.ModelZoo;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Cli;

/// <summary>
/// The real `serverless` executable where no host is needed: usage errors, a URL with nothing
/// behind it, a host that does not answer or is not one, and `classify` on folders that give
/// nothing. Every failure is one line on stderr and a non-zero exit.
/// </summary>
public sealed class CliErrorTests
{
    [Fact]
    public async Task A_usage_error_is_one_line_and_exit_2()
    {
        var (exitCode, stdout, stderr) = await HostProcess.RunCliAsync(["status", "job-1", "-o", "yaml"]);
        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        CliAssert.OneLine(stderr, "-o must be table or json, not 'yaml'");

        (exitCode, _, stderr) = await HostProcess.RunCliAsync(["jobs", "--url", "localhost:7071"]);
        Assert.Equal(2, exitCode);
        CliAssert.OneLine(stderr, "--url must be an absolute http:// or https:// URL");
    }

    [Fact]
    public async Task A_url_with_nothing_listening_is_one_line_and_exit_1()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        foreach (var command in new[] { new[] { "status", "job-1" }, ["jobs"], ["results", "job-1"], ["terminate", "job-1"], ["purge", "job-1"] })
        {
            var (exitCode, _, stderr) = await HostProcess.RunCliAsync([.. command, "--url", url]);
            Assert.Equal(1, exitCode);
            CliAssert.OneLine(stderr, $"cannot reach the host at {url}/");
        }
    }

    [Fact]
    public async Task A_host_that_does_not_answer_in_time_is_one_line_and_exit_1()
    {
        using var silent = new CannedHttpServer(response: null);
        var clock = Stopwatch.StartNew();
        var (exitCode, _, stderr) = await HostProcess.RunCliAsync(["status", "job-1", "--url", silent.Url, "--request-timeout", "1s"]);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, $"no answer from the host at {silent.Url}/ within 1 s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Ctrl_c_while_waiting_for_an_answer_is_one_line_and_exit_130()
    {
        using var silent = new CannedHttpServer(response: null);
        using var cli = HostProcess.StartCli(["jobs", "--url", silent.Url]);
        await silent.FirstConnection.WaitAsync(TimeSpan.FromSeconds(30));
        cli.Interrupt();
        Assert.Equal(130, await cli.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        CliAssert.OneLine(cli.StdErr, "", prefix: "interrupted");
        Assert.Empty(cli.StdOut);
    }

    [Fact]
    public async Task An_answer_that_is_not_the_hosts_is_one_line_and_exit_1()
    {
        const string page = "<html><body>a login page</body></html>";
        using var html = new CannedHttpServer($"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {page.Length}\r\nConnection: close\r\n\r\n{page}");
        var (exitCode, _, stderr) = await HostProcess.RunCliAsync(["status", "job-1", "--url", html.Url]);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, "is not JSON");

        // An error page that is no problem details: its status and its text, still one line.
        const string text = "bad gateway\nupstream down";
        using var proxy = new CannedHttpServer($"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: {text.Length}\r\nConnection: close\r\n\r\n{text}");
        (exitCode, _, stderr) = await HostProcess.RunCliAsync(["jobs", "--url", proxy.Url]);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, "502 Bad Gateway: bad gateway upstream down");
    }

    [Fact]
    public async Task Jobs_follows_the_hosts_continuation_tokens_up_to_top()
    {
        static string Job(string id) => $$"""{"instanceId":"{{id}}","name":"BatchInferenceJob","runtimeStatus":"Completed","createdTime":"2026-12-01T10:00:00Z","lastUpdatedTime":"2026-12-01T10:01:00Z"}""";
        var requests = new List<string>();
        using var host = new CannedHttpServer(line =>
        {
            lock (requests)
                requests.Add(line);
            // Pages of two, as a host gives when its index holds more than one page asked for.
            return CannedHttpServer.Json(line.Contains("continuationToken=page-3") ? $$"""{"jobs":[{{Job("job-e")}}],"continuationToken":null}"""
                : line.Contains("continuationToken=page-2") ? $$"""{"jobs":[{{Job("job-c")}},{{Job("job-d")}}],"continuationToken":"page-3"}"""
                : $$"""{"jobs":[{{Job("job-a")}},{{Job("job-b")}}],"continuationToken":"page-2"}""");
        });

        var (exitCode, stdout, stderr) = await HostProcess.RunCliAsync(["jobs", "--url", host.Url, "-o", "json"]);
        Assert.True(exitCode == 0, stderr);
        using (var all = System.Text.Json.JsonDocument.Parse(stdout))
        {
            Assert.Equal(["job-a", "job-b", "job-c", "job-d", "job-e"], all.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("instanceId").GetString()));
            Assert.Equal(System.Text.Json.JsonValueKind.Null, all.RootElement.GetProperty("continuationToken").ValueKind);
        }
        Assert.Equal(3, requests.Count);

        // --top stops following: the table shows three, and says there are more.
        (exitCode, stdout, stderr) = await HostProcess.RunCliAsync(["jobs", "--url", host.Url, "--top", "3"]);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal(["job-a", "job-b", "job-c"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(' ')[0]));
        Assert.Contains("more jobs than --top 3", stderr);
        Assert.Contains(requests, r => r.Contains("top=1&") && r.Contains("continuationToken=page-2"));
    }

    [Fact]
    public async Task Classify_exits_1_when_every_image_failed_or_there_is_none_and_0_when_one_succeeded()
    {
        using var temp = new TempDir("cli-classify");
        var model = temp.Combine("dominant-color.onnx");
        ModelZooWriter.Write("dominant-color", model);
        var bad = Directory.CreateDirectory(temp.Combine("bad")).FullName;
        var photo = Directory.GetFiles(RepoPaths.ImagenetSample200).Order(StringComparer.Ordinal).First();
        var badFiles = BadFiles.Write(bad, photo);

        var (exitCode, stdout, stderr) = await HostProcess.RunCliAsync(["classify", bad, "--model", model, "--out", temp.Combine("bad.jsonl")]);
        Assert.Equal(1, exitCode);
        Assert.Contains($"images={badFiles.Count} failed={badFiles.Count}", stdout);
        CliAssert.OneLine(stderr, $"every image failed ({badFiles.Count} of {badFiles.Count})", afterProgress: true);
        // The rows of a job's predictions.jsonl: every bad file with its reason code.
        var rows = File.ReadAllLines(temp.Combine("bad.jsonl")).Select(PredictionJson.Parse).ToList();
        Assert.Equal(badFiles.Count, rows.Count);
        Assert.All(rows, r => Assert.Equal(badFiles[r.Key], r.ErrorCode));

        File.Copy(photo, Path.Combine(bad, Path.GetFileName(photo)));
        (exitCode, stdout, stderr) = await HostProcess.RunCliAsync(["classify", bad, "--model", model, "--out", temp.Combine("mixed.jsonl")]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains($"images={badFiles.Count + 1} failed={badFiles.Count}", stdout);

        var empty = Directory.CreateDirectory(temp.Combine("empty")).FullName;
        File.WriteAllText(Path.Combine(empty, "notes.txt"), "not an image");
        (exitCode, _, stderr) = await HostProcess.RunCliAsync(["classify", empty, "--model", model, "--out", temp.Combine("empty.jsonl")]);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, $"no images under {empty}");

        (exitCode, _, stderr) = await HostProcess.RunCliAsync(["classify", bad, "--model", temp.Combine("missing.onnx"), "--out", temp.Combine("x.jsonl")]);
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, "missing.onnx");
    }
}
