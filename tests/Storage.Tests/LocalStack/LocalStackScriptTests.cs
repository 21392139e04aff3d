using System.Diagnostics;
using Serverless.Storage.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Storage.Tests.LocalStack;

/// <summary>local/stack.sh and local/upload.sh as a user runs them, on free ports and a temp state folder.</summary>
public sealed class LocalStackScriptTests
{
    [Fact]
    public async Task Stack_starts_uploads_the_photographs_intact_and_stops()
    {
        await LocalStackInstall.EnsureAsync();
        using var state = new TempDir("stack");
        var ports = FreePort.Next(4);
        var env = new Dictionary<string, string>
        {
            ["STACK_DIR"] = state.Path,
            ["AZURITE_BLOB_PORT"] = ports[0].ToString(),
            ["AZURITE_QUEUE_PORT"] = ports[1].ToString(),
            ["AZURITE_TABLE_PORT"] = ports[2].ToString(),
            ["S3RVER_PORT"] = ports[3].ToString(),
            ["S3_BUCKETS"] = "images results",
        };
        try
        {
            var start = await RunAsync("stack.sh", ["start"], env);
            Assert.True(start.ExitCode == 0, start.Output);
            Assert.Equal(0, (await RunAsync("stack.sh", ["status"], env)).ExitCode);

            var settings = ReadEnvFile(Path.Combine(state.Path, "stack.env"));
            Assert.Equal($"http://127.0.0.1:{ports[3]}", settings["AWS_ENDPOINT_URL_S3"]);
            Assert.Contains($"QueueEndpoint=http://127.0.0.1:{ports[1]}/devstoreaccount1", settings["AzureWebJobsStorage"]);

            var upload = await RunAsync("upload.sh", [RepoPaths.ImagenetSample200, "s3://images/sample"], env);
            Assert.True(upload.ExitCode == 0, upload.Output);
            Assert.Contains("uploaded 200 files", upload.Output);

            // Read back through the storage library with the settings the stack wrote.
            var connections = new StorageConnections
            {
                S3 = new S3Settings
                {
                    ServiceUrl = settings["AWS_ENDPOINT_URL_S3"],
                    AccessKey = settings["AWS_ACCESS_KEY_ID"],
                    SecretKey = settings["AWS_SECRET_ACCESS_KEY"],
                },
                Blob = new BlobSettings { ConnectionString = settings["AzureWebJobsStorage"] },
            };
            var source = ImageSourceFactory.Create("s3://images/sample", connections);
            var keys = new List<string>();
            await foreach (var key in source.ListKeysAsync(pageSize: 50))
            {
                keys.Add(key);
            }

            Assert.Equal(200, keys.Count);
            foreach (var key in keys.Where((_, i) => i % 20 == 0))
            {
                var local = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.ImagenetSample200, key["sample/".Length..]));
                Assert.Equal(Bytes.Sha256(local), Bytes.Sha256(await source.ReadAllBytesAsync(key, Bytes.Limit)));
            }

            // The second bucket exists and the Azurite in the stack answers.
            Assert.Empty((await ImageSourceFactory.Create("s3://results", connections).ListPageAsync(null, 10)).Keys);
            var blob = new Azure.Storage.Blobs.BlobServiceClient(settings["AzureWebJobsStorage"]).GetBlobContainerClient("probe");
            await blob.CreateAsync();
        }
        finally
        {
            var stop = await RunAsync("stack.sh", ["stop", "--clean"], env);
            Assert.True(stop.ExitCode == 0, stop.Output);
        }

        Assert.Equal(3, (await RunAsync("stack.sh", ["status"], env)).ExitCode);
        foreach (var port in ports)
        {
            Assert.False(await FreePort.IsListeningAsync(port));
        }
    }

    [Fact]
    public async Task Upload_reports_an_unknown_bucket_and_a_missing_folder()
    {
        await using var s3rver = await S3rverProcess.StartAsync();
        using var dir = new TempDir("upload");
        await File.WriteAllTextAsync(dir.Combine("a.jpg"), "x");
        var env = new Dictionary<string, string>
        {
            ["STACK_DIR"] = dir.Path,
            ["AWS_ENDPOINT_URL_S3"] = s3rver.ServiceUrl,
            ["AWS_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
        };

        var noBucket = await RunAsync("upload.sh", [dir.Path, "s3://no-such-bucket/x"], env);
        Assert.Equal(1, noBucket.ExitCode);
        Assert.Contains("NoSuchBucket", noBucket.Output);

        var noFolder = await RunAsync("upload.sh", [dir.Combine("missing"), "s3://b/x"], env);
        Assert.Equal(2, noFolder.ExitCode);
        Assert.Contains("is not a folder", noFolder.Output);
    }

    private static Dictionary<string, string> ReadEnvFile(string path) =>
        File.ReadAllLines(path)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1].Trim('\''));

    private static async Task<(int ExitCode, string Output)> RunAsync(string script, string[] args, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        psi.ArgumentList.Add(Path.Combine(RepoPaths.Local, script));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // Start from a clean slate: only what the test sets reaches the scripts.
        foreach (var name in new[] { "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY" })
        {
            psi.Environment.Remove(name);
        }

        foreach (var (name, value) in env)
        {
            psi.Environment[name] = value;
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
