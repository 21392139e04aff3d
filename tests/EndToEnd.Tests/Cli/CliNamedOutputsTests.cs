using System.Net;
using Serverless.EndToEnd.Tests.Support;
using Serverless.ModelZoo;
using Serverless.Storage;
using Serverless.Storage.Results;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Cli;

/// <summary>
/// `serverless submit --outputs features` against a `serverless host` on s3rver: every row of the
/// JSONL output carries the vector; over HTTP, what can be judged without the model is a 400 naming
/// <c>outputs</c> (never a 500), including a body whose <c>outputs</c> is not a list.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class CliNamedOutputsTests(JobStack stack)
{
    [Fact]
    public async Task Submit_outputs_features_writes_vectors_on_s3_and_bad_outputs_are_400s()
    {
        var host = await stack.SharedHostAsync();
        using var folder = new TempDir("named-outputs");
        SyntheticImages.Write(folder.Path, 4, seed: 61, minSize: 40, maxSize: 48);
        var prefix = $"s3://{JobStack.Bucket}/named-outputs/src/";
        await stack.UploadFolderAsync(folder.Path, prefix);
        var cli = new Dictionary<string, string>(stack.StorageEnvironment) { ["SERVERLESS_URL"] = host.BaseUrl.ToString(), ["SERVERLESS_KEY"] = JobStack.MasterKey };
        var output = $"s3://{JobStack.Bucket}/results/named-outputs";

        var (exitCode, _, stderr) = await HostProcess.RunCliAsync(
            // Names are trimmed and empty ones dropped, as classify takes them.
            ["submit", prefix, "--model", stack.DominantColor, "--outputs", " features ,", "--out", output, "--wait"], cli, TimeSpan.FromMinutes(3));

        Assert.True(exitCode == 0, stderr + host.OutputTail);
        var text = System.Text.Encoding.UTF8.GetString(await ResultStoreFactory.Create(output, stack.Connections).ReadAsync("predictions.jsonl"));
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => PredictionJson.Parse(l, ["features"])).ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.True(r.Top.Count > 0 && r.Outputs?["features"].Length == 3, r.Key));

        using var jobs = new JobsHttp(host.BaseUrl);
        foreach (var body in new[]
        {
            $$"""{"source":"{{prefix}}","model":"{{stack.DominantColor}}","format":"csv","outputs":["features"]}""",
            $$"""{"source":"{{prefix}}","model":"{{stack.DominantColor}}","outputs":"features"}""",
        })
        {
            var answer = await jobs.PostRawAsync("api/jobs", body);
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            Assert.Contains("outputs", await answer.Content.ReadAsStringAsync());
        }
    }
}
