using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Data.Tables;
using Serverless.Drops;
using Serverless.Drops.Watching;
using Serverless.TestSupport;

namespace Serverless.Bench;

/// <summary>
/// bench/run.sh drop: N photographs dropped at once (8 concurrent PUTs) under a prefix one
/// `serverless host` process (role all) watches, timed from the first object stored to the last
/// receipt done; then a batch job over the same objects in the same process, for the ratio.
/// </summary>
internal static class DropBenchmark
{
    private const string Bucket = "bench";
    private const string Prefix = "drop";
    private const string BenchKey = "bench-master-key";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var count = args.Int("images", 2000);
        var batchSize = args.Int("batch-size", 32);
        args.RejectUnknown();

        var (model, _) = BenchModels.Ensure("mobilenetv2");
        var plan = BenchImages.Plan(count);
        var data = BenchPaths.NewEmulatorData("drop");
        var hub = "benchdrop" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(data, "azurite"));
            await using var s3rver = await S3rverProcess.StartAsync([Bucket], Path.Combine(data, "s3rver"));
            var port = FreePort.Next();
            var environment = new Dictionary<string, string>
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["AWS_ENDPOINT_URL_S3"] = s3rver.ServiceUrl,
                ["AWS_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
                ["extensions__durableTask__hubName"] = hub,
                ["Logging__LogLevel__Default"] = "Warning",
                ["SERVERLESS_MASTER_KEY"] = BenchKey,
                ["drops__pollInterval"] = "00:00:00.500",
                ["drops__locations__0__source"] = $"s3://{Bucket}/{Prefix}/",
                ["drops__locations__0__results"] = $"s3://{Bucket}/drop-results/",
                ["drops__locations__0__model"] = model,
                ["drops__locations__0__batchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
                ["drops__locations__0__maxWaitMs"] = "500",
            };
            await using var host = HostChild.Start(["host", "--port", port.ToString(CultureInfo.InvariantCulture), "--role", "all"], environment);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Add("x-functions-key", BenchKey);
            await host.WaitHealthyAsync(http);
            await Task.Delay(TimeSpan.FromSeconds(2)); // the watcher's first (empty) listing

            var counter = new ReceiptCounter(new TableClient(azurite.ConnectionString, TableDropReceiptStore.TableName(hub)),
                TableDropReceiptStore.ReceiptsFilter($"s3://{Bucket}/{Prefix}/"));
            using var s3 = new AmazonS3Client(S3rverProcess.AccessKey, S3rverProcess.SecretKey,
                new AmazonS3Config { ServiceURL = s3rver.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
            // The benchmark's own process uploads (and polls the receipts): its CPU is the upload's.
            var pids = new Dictionary<string, int> { ["host"] = host.Pid, ["azurite"] = azurite.Pid, ["s3rver"] = s3rver.Pid, ["upload"] = Environment.ProcessId };
            var dropCpuBefore = CpuSnapshot.Take(pids);
            var clock = new Stopwatch();
            var uploading = Task.Run(async () =>
            {
                var first = true;
                foreach (var chunk in plan.Chunk(8))
                {
                    await Task.WhenAll(chunk.Select(item => s3.PutObjectAsync(new PutObjectRequest
                    {
                        BucketName = Bucket, Key = $"{Prefix}/{item.Key}", FilePath = item.Source, UseChunkEncoding = false, ContentType = "image/jpeg",
                    })));
                    if (first)
                    {
                        clock.Start();
                        first = false;
                    }
                }
            });

            double? firstResult = null;
            int done = 0, writes = 0, receiptsSeen = 0;
            var lastLog = TimeSpan.Zero;
            while (done < count)
            {
                if (host.HasExited)
                    throw new InvalidOperationException($"the host exited:\n{host.OutputTail}");
                (done, writes, receiptsSeen) = await counter.CountAsync();
                if (done > 0 && firstResult is null && clock.IsRunning)
                    firstResult = clock.Elapsed.TotalMilliseconds;
                if (clock.Elapsed - lastLog > TimeSpan.FromSeconds(10))
                {
                    lastLog = clock.Elapsed;
                    Report.Log($"drop: {done} of {count} done after {clock.Elapsed.TotalSeconds:0.0}s");
                }
                await Task.Delay(firstResult is null ? 50 : 500);
            }
            var dropSeconds = clock.Elapsed.TotalSeconds;
            await uploading;
            var dropCpu = CpuSnapshot.Take(pids).Since(dropCpuBefore);
            Report.Log($"drop: {count} done in {dropSeconds:0.00}s (uploads ended at {clock.Elapsed.TotalSeconds:0.00}s at the latest), CPU s: {Describe(dropCpu)}");

            var jobCpuBefore = CpuSnapshot.Take(pids);
            var (jobSeconds, _) = await BenchJob.RunAsync(http, host, new { source = $"s3://{Bucket}/{Prefix}/", model, batchSize }, count);
            var jobCpu = CpuSnapshot.Take(pids).Since(jobCpuBefore);
            Report.Log($"job: {jobSeconds:0.00}s, CPU s: {Describe(jobCpu)}");
            Report.Value("images", count);
            Report.Value("batch_size", batchSize);
            Report.Value("drop_seconds", dropSeconds, "0.00");
            Report.Value("drop_images_per_s", count / dropSeconds, "0.0");
            Report.Value("first_result_latency_ms", firstResult ?? double.NaN, "0");
            Report.Value("job_seconds", jobSeconds, "0.00");
            Report.Value("job_images_per_s", count / jobSeconds, "0.0");
            Report.Value("drop_vs_job", jobSeconds / dropSeconds, "0.000");
            foreach (var (phase, cpu) in new[] { ("drop", dropCpu), ("job", jobCpu) })
            {
                Report.Value($"{phase}_host_cpu_ms_per_image", cpu["host"] * 1000 / count, "0.0");
                Report.Value($"{phase}_emulators_cpu_ms_per_image", (cpu["azurite"] + cpu["s3rver"]) * 1000 / count, "0.0");
            }
            Report.Value("drop_upload_cpu_ms_per_image", dropCpu["upload"] * 1000 / count, "0.0");
            Report.Value("drop_result_writes", writes);
            Report.Value("drop_receipts", receiptsSeen);
            Report.Value("load_average", Sample.LoadAverage(), "0.0");
        }
        finally
        {
            BenchPaths.DeleteQuietly(data);
        }
        return 0;
    }

    private static string Describe(IReadOnlyDictionary<string, double> cpu) => string.Join(", ", cpu.Select(p => $"{p.Key} {p.Value:0.0}"));

    /// <summary>
    /// Counts the location's receipts. Each poll reads only the rows changed since the one before (with
    /// a margin for clock skew), so the observer costs the table little while the drop runs.
    /// </summary>
    private sealed class ReceiptCounter(TableClient table, string receipts)
    {
        private readonly Dictionary<string, (string? Status, int Writes)> rows = new();
        private DateTimeOffset? since;

        public async Task<(int Done, int Writes, int Receipts)> CountAsync()
        {
            var started = DateTimeOffset.UtcNow;
            var filter = since is { } from
                ? $"{receipts} and {TableClient.CreateQueryFilter($"Timestamp ge {from}")}"
                : receipts;
            try
            {
                await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Status", "Writes"]))
                    rows[entity.RowKey] = (entity.GetString("Status"), entity.GetInt32("Writes") ?? 0);
                since = started - TimeSpan.FromSeconds(5);
            }
            catch (Azure.RequestFailedException e) when (e.Status == 404)
            {
            }
            // A version listed mid-upload is settled as superseded without a write: only written ones are results.
            var done = rows.Values.Count(r => r.Status == ReceiptStatus.Done && r.Writes > 0);
            return (done, rows.Values.Sum(r => r.Writes), rows.Count);
        }
    }
}
