using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.TestSupport;

namespace Serverless.Bench;

/// <summary>
/// bench/run.sh job [--source s3|local] [--warmup-images N]: the photographs repeated to N images in s3rver (or, with
/// --source local, the very folder `classify` reads, so no emulator serves the images), one `serverless host` process
/// on Azurite, a job submitted over HTTP and polled to completion; against `serverless classify` on
/// the same images from local disk, run before and after the job (the mean is used, which evens out
/// the drift in load of this shared machine).
/// </summary>
internal static class JobBenchmark
{
    private const string Bucket = "bench";
    private const string Prefix = "images";
    private const string BenchKey = "bench-master-key";

    private sealed class DisposeAll(IReadOnlyList<HostChild> children) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var child in children)
                await child.DisposeAsync();
        }
    }

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var count = args.Int("images", 5000);
        var batchSize = args.Int("batch-size", 32);
        var workers = args.Int("workers", 0);
        var sourceKind = args.String("source", "s3");
        var warmup = args.Int("warmup-images", 0);
        args.RejectUnknown();
        if (sourceKind is not ("s3" or "local"))
            throw new ArgumentException("--source must be s3 or local");

        var (model, _) = BenchModels.Ensure("mobilenetv2");
        var plan = BenchImages.Plan(count);
        var folder = BenchImages.EnsureLocalFolder(plan);
        var data = Path.Combine(BenchPaths.Work, "job-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(data, "azurite"));
            await using var s3rver = sourceKind == "s3" ? await S3rverProcess.StartAsync([Bucket], Path.Combine(data, "s3rver")) : null;
            if (s3rver is not null)
            {
                var upload = Stopwatch.StartNew();
                await BenchImages.UploadAsync(s3rver.ServiceUrl, S3rverProcess.AccessKey, S3rverProcess.SecretKey, Bucket, Prefix, plan);
                Report.Log($"uploaded {count} images to s3rver in {upload.Elapsed.TotalSeconds:0.0}s");
            }

            var classifyBefore = await ClassifyAsync(folder, model, batchSize, Path.Combine(data, "classify-1.jsonl"), count);
            var warm = warmup > 0 ? (BenchImages.EnsureLocalFolder(BenchImages.Plan(warmup)), Path.Combine(data, "warmup-results"), warmup) : ((string, string, int)?)null;
            var job = await RunJobAsync(azurite, s3rver, s3rver is null ? (folder, Path.Combine(data, "results")) : null, model, batchSize, count, workers, warm);
            var classifyAfter = await ClassifyAsync(folder, model, batchSize, Path.Combine(data, "classify-2.jsonl"), count);

            var classify = (classifyBefore.Wall + classifyAfter.Wall) / 2;
            Report.Value("images", count);
            Report.Value("source", sourceKind);
            Report.Value("batch_size", batchSize);
            Report.Value("worker_processes", workers == 0 ? "1 (role all)" : workers.ToString(CultureInfo.InvariantCulture));
            Report.Value("warmup_images", warmup);
            Report.Value("job_seconds", job.Wall, "0.00");
            Report.Value("job_images_per_s", count / job.Wall, "0.0");
            Report.Value("job_reported_images_per_s", job.Reported, "0.0");
            Report.Value("classify_seconds", classify, "0.00");
            Report.Value("classify_images_per_s", count / classify, "0.0");
            Report.Value("classify_reported_images_per_s", (classifyBefore.Reported + classifyAfter.Reported) / 2, "0.0");
            Report.Value("orchestration_overhead", 1 - (classify / job.Wall), "0.000");

            // CPU per image: the same comparison in the currency that other load hardly moves.
            var classifyCpu = (classifyBefore.CpuSeconds + classifyAfter.CpuSeconds) / 2;
            Report.Value("classify_cpu_ms_per_image", classifyCpu * 1000 / count, "0.0");
            Report.Value("job_host_cpu_ms_per_image", job.HostCpuSeconds * 1000 / count, "0.0");
            Report.Value("job_emulators_cpu_ms_per_image", job.EmulatorCpuSeconds * 1000 / count, "0.0");
            Report.Value("orchestration_cpu_overhead", 1 - (classifyCpu / job.HostCpuSeconds), "0.000");

            // The spread against each classify run alone: how much the machine's load drifted.
            Report.Value("orchestration_overhead_vs_before", 1 - (classifyBefore.Wall / job.Wall), "0.000");
            Report.Value("orchestration_overhead_vs_after", 1 - (classifyAfter.Wall / job.Wall), "0.000");
            Report.Value("load_average", Sample.LoadAverage(), "0.0");
        }
        finally
        {
            BenchPaths.DeleteQuietly(data);
        }

        return 0;
    }

    /// <summary>`serverless classify` as a user runs it; wall time of the whole command (start-up and model load included, as in the job).</summary>
    private static async Task<(double Wall, double Reported, double CpuSeconds)> ClassifyAsync(string folder, string model, int batchSize, string output, int expected)
    {
        var sw = Stopwatch.StartNew();
        var cpuBefore = CpuTime.OfExitedChildren();
        await using var child = HostChild.Start(["classify", folder, "--model", model, "--batch-size", batchSize.ToString(CultureInfo.InvariantCulture), "--out", output], new Dictionary<string, string>());
        var exit = await child.WaitForExitAsync();
        var wall = sw.Elapsed.TotalSeconds;
        var cpu = CpuTime.OfExitedChildren() - cpuBefore;
        if (exit != 0)
        {
            throw new InvalidOperationException($"serverless classify exited {exit}:\n{child.OutputTail}");
        }

        var lines = File.ReadLines(output).Count();
        if (lines != expected)
        {
            throw new InvalidOperationException($"serverless classify wrote {lines} predictions for {expected} images.");
        }

        // Its summary line: images=.. failed=.. seconds=.. images_per_s=..
        var summary = child.OutputTail.Split('\n').LastOrDefault(l => l.Contains("images_per_s=", StringComparison.Ordinal)) ?? "";
        var reported = summary.Split(' ').Select(p => p.Split('=', 2)).Where(p => p.Length == 2 && p[0] == "images_per_s").Select(p => double.Parse(p[1], CultureInfo.InvariantCulture)).FirstOrDefault(double.NaN);
        Report.Log($"classify: {wall:0.00}s wall, {cpu:0.0}s CPU, {summary}");
        return (wall, reported, cpu);
    }

    /// <summary>
    /// One host process (role all), or with <paramref name="workers"/> > 0 one api process and that
    /// many worker processes (what KEDA scales); POST /api/jobs, then GET its status URL until 200.
    /// </summary>
    /// <param name="local">With no s3rver: the local folder the job reads and the folder it writes to.</param>
    private static async Task<(double Wall, double Reported, double HostCpuSeconds, double EmulatorCpuSeconds)> RunJobAsync(AzuriteProcess azurite, S3rverProcess? s3rver,
        (string Source, string Output)? local, string model, int batchSize, int expected, int workers, (string Source, string Output, int Images)? warmup)
    {
        var port = FreePort.Next();
        var environment = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["jobs__localRoot"] = "/",
            ["extensions__durableTask__hubName"] = "bench" + Guid.NewGuid().ToString("N")[..8],
            ["Logging__LogLevel__Default"] = "Warning",
            ["SERVERLESS_MASTER_KEY"] = BenchKey,
        };
        if (s3rver is not null)
        {
            environment["AWS_ENDPOINT_URL"] = environment["AWS_ENDPOINT_URL_S3"] = s3rver.ServiceUrl;
            environment["AWS_ACCESS_KEY_ID"] = S3rverProcess.AccessKey;
            environment["AWS_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey;
        }
        await using var host = HostChild.Start(["host", "--port", port.ToString(CultureInfo.InvariantCulture), "--role", workers == 0 ? "all" : "api"], environment);
        var workerHosts = Enumerable.Range(0, workers)
            .Select(_ => HostChild.Start(["host", "--role", "worker", "--port", FreePort.Next().ToString(CultureInfo.InvariantCulture)], environment))
            .ToList();
        await using var stopWorkers = new DisposeAll(workerHosts);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-functions-key", BenchKey);
        await host.WaitHealthyAsync(http);

        // A job over other images first, on the same host (--warmup-images): the measured job is then not the host's
        // first, as on a long-lived worker (its code compiled, the model's session warm); classify stays a cold process.
        if (warmup is { } w)
        {
            var (warmWall, _) = await BenchJob.RunAsync(http, host, new { source = w.Source, model, batchSize, output = w.Output }, w.Images);
            Report.Log($"warm-up job: {w.Images} images from {w.Source} in {warmWall:0.00}s");
        }

        double HostCpu() => workerHosts.Append(host).Sum(h => CpuTime.OfProcess(h.Pid));
        double EmulatorCpu() => CpuTime.OfProcess(azurite.Pid) + (s3rver is null ? 0 : CpuTime.OfProcess(s3rver.Pid));
        var (hostCpuBefore, emulatorCpuBefore) = (HostCpu(), EmulatorCpu());
        // With separate worker processes, what each holds of the work-item queue (what KEDA's queueLength is set from).
        using var stopSampling = new CancellationTokenSource();
        var sampler = workers > 0
            ? WorkItemSampler.Start(azurite.ConnectionString, environment["extensions__durableTask__hubName"], workers, stopSampling.Token)
            : null;
        object request = local is { } l
            ? new { source = l.Source, model, batchSize, output = l.Output }
            : new { source = $"s3://{Bucket}/{Prefix}", model, batchSize };
        var (wall, output) = await BenchJob.RunAsync(http, host, request, expected);
        await stopSampling.CancelAsync();
        if (sampler is not null)
        {
            await sampler.Running;
            sampler.Report();
        }
        var (hostCpu, emulatorCpu) = (HostCpu() - hostCpuBefore, EmulatorCpu() - emulatorCpuBefore);
        Report.Log($"job: {wall:0.00}s wall, {hostCpu:0.0}s host CPU, {emulatorCpu:0.0}s Azurite + s3rver CPU, output {output}");
        return (wall, output.GetProperty("imagesPerSecond").GetDouble(), hostCpu, emulatorCpu);
    }
}
