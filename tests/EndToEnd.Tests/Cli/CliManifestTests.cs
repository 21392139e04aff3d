using System.Text;
using Serverless.EndToEnd.Tests.Support;
using Serverless.Storage;

namespace Serverless.EndToEnd.Tests.Cli;

/// <summary>
/// `serverless submit --manifest` with an S3 Inventory's <c>manifest.json</c> against a real host on
/// s3rver: the job classifies what the inventory lists (keys of the manifest's own bucket stay plain,
/// URL-encoded ones decoded), and an inventory of a format that is not read is a one-line 400.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class CliManifestTests(JobStack stack)
{
    [Fact]
    public async Task Submit_with_an_s3_inventory_manifest_classifies_what_it_lists_and_refuses_orc()
    {
        var host = await stack.SharedHostAsync();
        await stack.UploadSyntheticImagesAsync("cli/inventory/", 4, seed: 43);
        var store = ResultStoreFactory.Create($"s3://{JobStack.Bucket}/cli", stack.Connections);
        var keys = new List<string>();
        await foreach (var name in store.ListAsync("inventory/"))
            keys.Add("cli/" + name);
        var rows = keys.Select(k => $"\"{JobStack.Bucket}\",\"{System.Net.WebUtility.UrlEncode(k)}\"").Append($"\"{JobStack.Bucket}\",\"cli%2Finventory%2Fno+such.jpg\"");
        await store.WriteAsync("inv/data/one.csv", Encoding.UTF8.GetBytes(string.Join("\n", rows) + "\n"));
        string Manifest(string format) => $$"""
            {"sourceBucket": "{{JobStack.Bucket}}", "destinationBucket": "arn:aws:s3:::{{JobStack.Bucket}}", "version": "2016-11-30",
             "fileFormat": "{{format}}", "fileSchema": "Bucket, Key", "files": [{"key": "cli/inv/data/one.csv", "size": 1, "MD5checksum": "00"}]}
            """;
        await store.WriteAsync("inv/csv/manifest.json", Encoding.UTF8.GetBytes(Manifest("CSV")));
        await store.WriteAsync("inv/orc/manifest.json", Encoding.UTF8.GetBytes(Manifest("ORC")));
        var cli = new Dictionary<string, string>(stack.StorageEnvironment) { ["SERVERLESS_URL"] = host.BaseUrl.ToString(), ["SERVERLESS_KEY"] = JobStack.MasterKey };

        var (exitCode, stdout, stderr) = await HostProcess.RunCliAsync(["submit", "--manifest", $"s3://{JobStack.Bucket}/cli/inv/csv/manifest.json", "--model", stack.DominantColor,
            "--out", $"s3://{JobStack.Bucket}/results/cli-inventory", "--wait"], cli, TimeSpan.FromMinutes(3));
        // A missing object fails its row, not the job: submit --wait exits 0 only without failed rows.
        var id = stderr.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("submitted job ", StringComparison.Ordinal))["submitted job ".Length..];
        Assert.Contains($"job {id}: Completed", stdout);
        (exitCode, stdout, stderr) = await HostProcess.RunCliAsync(["results", id], cli, TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.Equal(keys.Append("cli/inventory/no such.jpg").Order(), lines.Select(l => Serverless.Storage.Results.PredictionJson.Parse(l).Key).Order());
        Assert.Contains(lines, l => l.Contains("\"not_found\""));

        (exitCode, _, stderr) = await HostProcess.RunCliAsync(["submit", "--manifest", $"s3://{JobStack.Bucket}/cli/inv/orc/manifest.json", "--model", stack.DominantColor], cli, TimeSpan.FromMinutes(1));
        Assert.Equal(1, exitCode);
        CliAssert.OneLine(stderr, "400 Bad Request: The job request is not valid. manifest: the inventory manifest ");
        Assert.Contains("has fileFormat ORC: ORC inventories are not supported, only CSV", stderr);
    }
}
