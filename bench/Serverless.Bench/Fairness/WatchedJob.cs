using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.Bench;

/// <summary>
/// A job submitted over HTTP (POST api/jobs, optionally with a tenant's key) and polled on a clock
/// shared with the other jobs of the same part, so their progress can be compared in time: each
/// poll records the job's done count (the status's live count, which moves within a unit) and any
/// reason the scheduler gave for it waiting (<c>customStatus.waiting</c>).
/// </summary>
internal sealed class WatchedJob
{
    private readonly HttpClient http;
    private readonly string? tenantKey;
    private readonly Stopwatch clock;
    private readonly List<string> waiting = [];

    private WatchedJob(HttpClient http, string? tenantKey, Stopwatch clock, string name, long expected)
    {
        (this.http, this.tenantKey, this.clock, Name, Expected) = (http, tenantKey, clock, name, expected);
    }

    /// <summary>What the diagnostics call it ("high", "tenant-a", ...).</summary>
    public string Name { get; }

    /// <summary>The images the job must complete with.</summary>
    public long Expected { get; }

    /// <summary>Seconds on the shared clock just before the POST.</summary>
    public double SubmittedAt { get; private set; }

    /// <summary>Seconds on the shared clock of the first poll that answered 200; null while it runs.</summary>
    public double? CompletedAt { get; private set; }

    /// <summary>Seconds from the POST to the first 200 (NaN while it runs).</summary>
    public double Seconds => CompletedAt is { } end ? end - SubmittedAt : double.NaN;

    /// <summary>Seconds from the POST to the first poll that saw an image done (how long it waited to start); NaN before.</summary>
    public double FirstImageSeconds { get; private set; } = double.NaN;

    /// <summary>The highest done count seen so far (a running job's live count can step back while a page hands its count to the job).</summary>
    public long Done { get; private set; }

    /// <summary>The distinct waiting reasons seen, in order of first sight.</summary>
    public IReadOnlyList<string> WaitingSeen => waiting;

    /// <summary>The last status body read.</summary>
    public JsonElement LastStatus { get; private set; }

    /// <summary>The last running poll's customStatus phase, done, total, priority and waiting, as text.</summary>
    public string LastRunning { get; private set; } = "";

    private string? lastPhase;

    private Uri Status { get; set; } = null!;

    /// <summary>Submits <paramref name="request"/> (202 expected) and starts watching the job.</summary>
    public static async Task<WatchedJob> SubmitAsync(HttpClient http, Stopwatch clock, string name, object request, long expected, string? tenantKey = null)
    {
        var job = new WatchedJob(http, tenantKey, clock, name, expected) { SubmittedAt = clock.Elapsed.TotalSeconds };
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/jobs") { Content = JsonContent.Create(request) };
        job.AddKey(message);
        using var submit = await http.SendAsync(message);
        if (submit.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"{name}: POST api/jobs answered {(int)submit.StatusCode}: {await submit.Content.ReadAsStringAsync()}");
        job.Status = submit.Headers.Location ?? throw new InvalidOperationException($"{name}: no Location header.");
        return job;
    }

    /// <summary>
    /// Reads the status once and records a sample; true once the job ended. Throws unless a job
    /// that ended completed with <see cref="Expected"/> images and none failed.
    /// </summary>
    public async Task<bool> PollAsync()
    {
        if (CompletedAt is not null)
            return true;
        using var message = new HttpRequestMessage(HttpMethod.Get, Status);
        AddKey(message);
        using var poll = await http.SendAsync(message);
        var now = clock.Elapsed.TotalSeconds;
        var body = await poll.Content.ReadFromJsonAsync<JsonElement>();
        LastStatus = body;
        if (poll.StatusCode == HttpStatusCode.OK)
        {
            var output = body.GetProperty("output");
            if (body.GetProperty("runtimeStatus").GetString() != "Completed" || output.GetProperty("images").GetInt64() != Expected || output.GetProperty("failed").GetInt64() != 0)
                throw new InvalidOperationException($"{Name}: the job ended: {body}");
            CompletedAt = now;
            Done = Expected;
            if (double.IsNaN(FirstImageSeconds))
                FirstImageSeconds = Seconds;
            return true;
        }
        if (poll.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"{Name}: status answered {(int)poll.StatusCode}: {body}");
        if (body.TryGetProperty("customStatus", out var progress) && progress.ValueKind == JsonValueKind.Object)
        {
            if (progress.TryGetProperty("phase", out var phase) && phase.ToString() != lastPhase)
            {
                lastPhase = phase.ToString();
                Report.Log($"{Name}: phase {lastPhase} at {now - SubmittedAt:0.0}s");
            }
            LastRunning = string.Join(", ", new[] { "phase", "done", "total", "priority", "waiting" }
                .Select(k => $"{k}={(progress.TryGetProperty(k, out var v) ? v.ToString() : "")}"));
            if (progress.TryGetProperty("done", out var done) && done.ValueKind == JsonValueKind.Number)
                Done = Math.Max(Done, done.GetInt64());
            if (Done > 0 && double.IsNaN(FirstImageSeconds))
                FirstImageSeconds = now - SubmittedAt;
            if (progress.TryGetProperty("waiting", out var why) && why.ValueKind == JsonValueKind.String && !waiting.Contains(why.GetString()!))
            {
                waiting.Add(why.GetString()!);
                Report.Log($"{Name}: waiting: {why.GetString()}");
            }
        }
        return false;
    }

    /// <summary>Polls every <paramref name="interval"/> until the job ends; throws (with its last status) after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan interval, TimeSpan timeout) =>
        await WaitAllAsync([this], interval, timeout);

    /// <summary>Polls until the job has done at least one image (it is classifying).</summary>
    public async Task WaitClassifyingAsync(TimeSpan interval, TimeSpan timeout)
    {
        var start = clock.Elapsed;
        while (!await PollAsync() && Done == 0)
        {
            if (clock.Elapsed - start > timeout)
                throw new TimeoutException($"{Name}: nothing classified after {timeout.TotalSeconds:0}s; last status: {LastStatus}");
            await Task.Delay(interval);
        }
    }

    /// <summary>
    /// Polls <paramref name="jobs"/> in turn, one round every <paramref name="interval"/>, until all
    /// have ended; after each round <paramref name="round"/> gets the round's start (seconds on the
    /// shared clock), when every job's <see cref="Done"/> is that round's. Logs progress every 15 s.
    /// </summary>
    public static async Task WaitAllAsync(IReadOnlyList<WatchedJob> jobs, TimeSpan interval, TimeSpan timeout, Action<double>? round = null)
    {
        var clock = jobs[0].clock;
        var start = clock.Elapsed;
        var lastLog = start;
        while (true)
        {
            var at = clock.Elapsed.TotalSeconds;
            var ended = true;
            foreach (var job in jobs)
                ended &= await job.PollAsync();
            round?.Invoke(at);
            if (ended)
                return;
            if (clock.Elapsed - start > timeout)
                throw new TimeoutException($"not ended after {timeout.TotalSeconds:0}s: " + string.Join("; ", jobs.Where(j => j.CompletedAt is null).Select(j => $"{j.Name}: {j.LastStatus}")));
            if (clock.Elapsed - lastLog > TimeSpan.FromSeconds(15))
            {
                lastLog = clock.Elapsed;
                Report.Log(string.Join(", ", jobs.Select(j => $"{j.Name} {j.Done}/{j.Expected}")));
            }
            await Task.Delay(interval);
        }
    }

    private void AddKey(HttpRequestMessage message)
    {
        // A tenant's key goes in x-serverless-key, which the host reads before the client's default x-functions-key.
        if (tenantKey is not null)
            message.Headers.Add("x-serverless-key", tenantKey);
    }
}
