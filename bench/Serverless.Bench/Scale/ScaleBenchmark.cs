using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Serverless.ModelZoo;
using Serverless.TestSupport;

namespace Serverless.Bench;

/// <summary>
/// bench/run.sh scale --images N --source local|s3: one job over N tiny synthetic images with the
/// dominant-colour model (inference costs next to nothing), so what is measured is the engine, its
/// storage and the merge: job seconds, peak RSS of the host process, task hub requests per image
/// (counted in Azurite's debug log from the submission on: orchestration, ledger, progress;
/// results written to a local folder are file operations and not counted; with --source s3 the
/// images' reads and the results are on s3rver, whose requests are not counted), history bytes per
/// image (the <c>&lt;Hub&gt;History</c> table's property values plus large-message blobs) and the merge's share of the job.
/// </summary>
internal static class ScaleBenchmark
{
    private const string Bucket = "bench";
    private const string BenchKey = "bench-master-key";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var count = args.Int("images", 20_000);
        var sourceKind = args.String("source", "local");
        var perTask = args.OptionalInt("images-per-task");
        var perExecution = args.OptionalInt("pages-per-execution");
        var unitsInFlight = args.OptionalInt("max-units-in-flight");
        args.RejectUnknown();
        if (sourceKind is not ("local" or "s3"))
            throw new ArgumentException("--source must be local or s3");

        var model = Path.Combine(BenchPaths.Work, "models", "dominant-color.onnx");
        if (!File.Exists(model))
            ModelZooWriter.Write("dominant-color", model);
        var folder = TinyImages(count);
        var data = Path.Combine(BenchPaths.Work, "scale-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var debugLog = Path.Combine(data, "azurite-debug.log");
            await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(data, "azurite"), debugLog: debugLog);
            await using var s3rver = sourceKind == "s3" ? await S3rverProcess.StartAsync([Bucket], Path.Combine(data, "s3rver"), logRequests: true) : null;
            var hub = "scale" + Guid.NewGuid().ToString("N")[..8];
            var environment = new Dictionary<string, string>
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["extensions__durableTask__hubName"] = hub,
                ["jobs__localRoot"] = "/",
                ["models__root"] = "/",
                ["Logging__LogLevel__Default"] = "Warning",
                ["SERVERLESS_MASTER_KEY"] = BenchKey,
            };
            if (perTask is { } n)
                environment["batchInference__imagesPerTask"] = n.ToString(CultureInfo.InvariantCulture);
            if (perExecution is { } p)
                environment["batchInference__pagesPerExecution"] = p.ToString(CultureInfo.InvariantCulture);
            string source, output;
            if (s3rver is not null)
            {
                var plan = Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), f)).ToList();
                await BenchImages.UploadAsync(s3rver.ServiceUrl, S3rverProcess.AccessKey, S3rverProcess.SecretKey, Bucket, "images", plan);
                (source, output) = ($"s3://{Bucket}/images", $"s3://{Bucket}/results/scale");
                environment["AWS_ENDPOINT_URL"] = environment["AWS_ENDPOINT_URL_S3"] = s3rver.ServiceUrl;
                environment["AWS_ACCESS_KEY_ID"] = S3rverProcess.AccessKey;
                environment["AWS_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey;
            }
            else
                (source, output) = (folder, Path.Combine(data, "results"));

            var port = FreePort.Next();
            await using var host = HostChild.Start(["host", "--port", port.ToString(CultureInfo.InvariantCulture), "--role", "all"], environment);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
            http.DefaultRequestHeaders.Add("x-functions-key", BenchKey);
            await host.WaitHealthyAsync(http);

            var requestsBefore = CountRequests(debugLog);
            var s3Before = s3rver?.Requests.Count ?? 0;
            var polls = new BenchJob.PollCount();
            var (seconds, result, status) = await BenchJob.RunAsync(http, host, new { source, model, output, maxUnitsInFlight = unitsInFlight }, count, polls);
            var requests = CountRequests(debugLog) - requestsBefore;
            // A running job's poll also reads its running pages and their units' progress rows, which a finished job's does not.
            var runningStatusReads = RequestLines(debugLog).Skip((int)requestsBefore).Take((int)requests).Count(IsRunningJobStatusRead);
            LogBreakdown(debugLog, hub);
            // s3rver's requests of the job: its listing and results; the images' own reads are not the engine's cost.
            var s3Requests = s3rver?.Requests.Skip(s3Before).Count(r => !IsImageRead(r)) ?? 0;
            var perPoll = await RequestsPerPollAsync(http, status, debugLog);
            var polling = Math.Min(requests, polls.Count * perPoll + runningStatusReads);
            requests += s3Requests;
            var peakRss = PeakRssMb(host.Pid);
            var metrics = await http.GetStringAsync("metrics");
            var heapMb = GcHeapMb(metrics);
            var (longestActivity, longestSeconds) = LongestActivity(metrics);
            var historyBytes = await HistoryBytesAsync(azurite.ConnectionString, hub);
            var summary = JsonDocument.Parse(await ReadSummaryAsync(result.GetProperty("summary").GetString()!, s3rver)).RootElement;
            var merge = summary.GetProperty("timingsSeconds").TryGetProperty("merge", out var m) ? m.GetDouble() : double.NaN;

            Report.Value("images", count);
            Report.Value("source", sourceKind);
            Report.Value("job_seconds", seconds, "0.00");
            Report.Value("seconds_per_image", seconds / count, "0.000000");
            Report.Value("peak_rss_mb", peakRss, "0.0");
            Report.Value("gc_heap_mb", heapMb, "0.0");
            Report.Value("storage_requests_per_image", (requests - polling) / count, "0.0000");
            Report.Value("polling_requests_per_image", polling / count, "0.0000");
            Report.Value("status_polls", polls.Count);
            if (s3rver is not null)
                Report.Value("s3_requests_per_image", (double)s3Requests / count, "0.0000");
            Report.Value("history_bytes_per_image", historyBytes / count, "0.0");
            Report.Value("merge_seconds", merge, "0.00");
            Report.Value("merge_fraction", merge / seconds, "0.0000");
            Report.Value("longest_activity_seconds", longestSeconds, "0.00");
            Report.Value("longest_activity", longestActivity);
            Report.Value("load_average", Sample.LoadAverage(), "0.0");
        }
        finally
        {
            BenchPaths.DeleteQuietly(data);
        }
        return 0;
    }

    /// <summary>The folder of <paramref name="count"/> tiny images (8-16 px), made once and kept under the bench's work folder (the dataio benchmark's too).</summary>
    internal static string TinyImages(int count)
    {
        var folder = Path.Combine(BenchPaths.Work, $"scale-images-{count}");
        // The marker sits beside the folder: a file in it would be listed by the job (an empty_file row).
        var done = folder + ".complete";
        if (File.Exists(done))
            return folder;
        if (Directory.Exists(folder))
            BenchPaths.DeleteQuietly(folder);
        var clock = Stopwatch.StartNew();
        // The colour is in each name, so the predictions can be checked.
        SyntheticImages.Write(folder, count, seed: 7, minSize: 8, maxSize: 16);
        File.WriteAllText(done, "");
        Report.Log($"wrote {count} tiny images in {clock.Elapsed.TotalSeconds:0.0}s");
        return folder;
    }

    /// <summary>
    /// The task hub requests one status poll costs, measured over polls of the finished job once
    /// the engine is idle: subtracted from the job's count, since polling is the watching client's
    /// cost; a running job's poll also reads its running pages and their progress rows, counted from
    /// the log by what they read (<see cref="IsRunningJobStatusRead"/>).
    /// </summary>
    private static async Task<double> RequestsPerPollAsync(HttpClient http, Uri status, string debugLog)
    {
        const int Polls = 40;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var idleBefore = CountRequests(debugLog);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var idle = CountRequests(debugLog) - idleBefore;
        var before = CountRequests(debugLog);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Polls; i++)
            (await http.GetAsync(status)).Dispose();
        await Task.Delay(TimeSpan.FromSeconds(1)); // Azurite writes its log a little after the request
        // The engine's own idle traffic (queue polling) over the same time is not the polls'.
        var engine = idle * clock.Elapsed.TotalSeconds / 2.0;
        return Math.Max(0, CountRequests(debugLog) - before - engine) / Polls;
    }

    /// <summary>
    /// The reads only a status poll of a running job makes (<c>LiveProgress</c>): the query of the job's running
    /// pages (instance ids under the job's page prefix) and of their units' progress rows.
    /// </summary>
    private static bool IsRunningJobStatusRead(string line) =>
        line.Contains("RequestMethod=GET", StringComparison.Ordinal)
        && (line.Contains("UnitProgress()?", StringComparison.Ordinal)
            || (line.Contains("Instances()?", StringComparison.Ordinal) && line.Contains("%3Apage%3A%27", StringComparison.Ordinal)));

    private static bool IsImageRead(string request) =>
        (request.StartsWith("GET /", StringComparison.Ordinal) || request.StartsWith("HEAD /", StringComparison.Ordinal))
        && request.Contains($" /{Bucket}/images/", StringComparison.Ordinal); // a listing is GET /bucket?list-type=2&prefix=...

    /// <summary>On stderr: the Azurite requests of the whole run by method and resource (the hub's name cut out), the most frequent first.</summary>
    private static void LogBreakdown(string debugLog, string hub)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in RequestLines(debugLog))
        {
            if (System.Text.RegularExpressions.Regex.Match(line, @"RequestMethod=(\w+).*?RequestURL=(\S+)") is not { Success: true } m)
                continue;
            var path = m.Groups[2].Value.Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(3).Take(2);
            var what = $"{m.Groups[1].Value} {string.Join('/', path)}".Replace(hub, "<hub>", StringComparison.OrdinalIgnoreCase);
            what = System.Text.RegularExpressions.Regex.Replace(what, "\\(.*\\)", "(...)");
            counts[what] = counts.GetValueOrDefault(what) + 1;
        }
        foreach (var (what, n) in counts.OrderByDescending(p => p.Value).Take(25))
            Report.Log($"azurite requests: {n,8} {what}");
    }

    private static long CountRequests(string debugLog) => RequestLines(debugLog).LongCount();

    /// <summary>Azurite's debug log lines, one per request of its three services (what is counted and broken down).</summary>
    private static IEnumerable<string> RequestLines(string debugLog)
    {
        if (!File.Exists(debugLog))
            yield break;
        using var stream = new FileStream(debugLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
            if (line.Contains("StorageContextMiddleware: RequestMethod=", StringComparison.Ordinal))
                yield return line;
    }

    /// <summary>The host's managed heap after its last GC (the runtime's meter on /metrics): how much of the RSS is live objects.</summary>
    private static double GcHeapMb(string metrics) =>
        Series(metrics, "dotnet_gc_last_collection_heap_size_bytes").Sum(p => p.Value) / (1024 * 1024);

    /// <summary>The activity whose longest run in the host was the longest of all (the host's <c>serverless_activity_longest_seconds</c>).</summary>
    private static (string Activity, double Seconds) LongestActivity(string metrics) =>
        Series(metrics, "serverless_activity_longest_seconds").Select(p => (Regex.Match(p.Labels, "activity=\"([^\"]*)\"").Groups[1].Value, p.Value))
            .DefaultIfEmpty(("", double.NaN)).MaxBy(p => p.Item2);

    /// <summary>The samples of one metric in Prometheus' text format: each one's labels and value.</summary>
    private static IEnumerable<(string Labels, double Value)> Series(string metrics, string name) =>
        metrics.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal))
            .Select(l => (l[..(l.LastIndexOf('}') + 1)], double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)));

    private static double PeakRssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }

    /// <summary>The bytes of the job's history: every property value of every row of <c>&lt;Hub&gt;History</c>, and the large-message blobs.</summary>
    private static async Task<double> HistoryBytesAsync(string connection, string hub)
    {
        long bytes = 0;
        await foreach (var row in new TableServiceClient(connection).GetTableClient(hub + "History").QueryAsync<TableEntity>())
            foreach (var (_, value) in (IEnumerable<KeyValuePair<string, object>>)row)
                bytes += value switch { string s => System.Text.Encoding.UTF8.GetByteCount(s), byte[] b => b.Length, _ => 8 };
        var blobs = new BlobServiceClient(connection);
        await foreach (var container in blobs.GetBlobContainersAsync(prefix: hub.ToLowerInvariant()))
            await foreach (var blob in blobs.GetBlobContainerClient(container.Name).GetBlobsAsync())
                bytes += blob.Properties.ContentLength ?? 0;
        return bytes;
    }

    private static async Task<string> ReadSummaryAsync(string location, S3rverProcess? s3rver)
    {
        if (s3rver is null)
            return await File.ReadAllTextAsync(location);
        using var s3 = new Amazon.S3.AmazonS3Client(S3rverProcess.AccessKey, S3rverProcess.SecretKey,
            new Amazon.S3.AmazonS3Config { ServiceURL = s3rver.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var key = location[$"s3://{Bucket}/".Length..];
        using var response = await s3.GetObjectAsync(Bucket, key);
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }
}
