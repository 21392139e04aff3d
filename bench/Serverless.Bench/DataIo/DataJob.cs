using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.Bench;

/// <summary>
/// A job of the dataio benchmark, submitted over HTTP (<c>POST api/jobs</c>, or <c>POST
/// api/jobs/{id}/rerun</c>) and polled at its status URL. Unlike <see cref="BenchJob"/> a job may
/// end with failed images (the rerun part's parent must): the caller checks the counts it expects.
/// </summary>
internal sealed class DataJob
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly HttpClient http;
    private readonly Stopwatch clock;

    private DataJob(HttpClient http, string name, string id, Uri status, Stopwatch clock) =>
        (this.http, Name, Id, Status, this.clock) = (http, name, id, status, clock);

    /// <summary>What the diagnostics call it.</summary>
    public string Name { get; }

    /// <summary>The job's id (the answer's <c>id</c>).</summary>
    public string Id { get; }

    /// <summary>The status URL (the answer's <c>Location</c>).</summary>
    public Uri Status { get; }

    /// <summary>Time since just before the POST that submitted it.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary><c>POST api/jobs</c> with <paramref name="request"/>; 202 expected.</summary>
    public static Task<DataJob> SubmitAsync(HttpClient http, string name, object request) => PostAsync(http, name, "api/jobs", request);

    /// <summary><c>POST api/jobs/{parent}/rerun</c> with <paramref name="body"/>; 202 expected (the new job's management payload).</summary>
    public static Task<DataJob> RerunAsync(HttpClient http, string name, string parent, object body) =>
        PostAsync(http, name, $"api/jobs/{Uri.EscapeDataString(parent)}/rerun", body);

    /// <summary>One GET of the status URL: its code and body.</summary>
    public async Task<(HttpStatusCode Code, JsonElement Body)> PollAsync()
    {
        using var poll = await http.GetAsync(Status);
        return (poll.StatusCode, await poll.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>
    /// Polls every 250 ms until the status answers 200 (logging progress every 15 s); answers the
    /// seconds from the POST to that answer and its body. Throws when the job ended other than
    /// Completed, the host died, or <paramref name="timeout"/> passed.
    /// </summary>
    public async Task<(double Seconds, JsonElement Body)> WaitAsync(FairHost host, TimeSpan timeout)
    {
        var lastLog = clock.Elapsed;
        var start = clock.Elapsed;
        while (true)
        {
            var (code, body) = await PollAsync();
            if (code == HttpStatusCode.OK)
            {
                var seconds = clock.Elapsed.TotalSeconds;
                if (body.GetProperty("runtimeStatus").GetString() != "Completed")
                    throw new InvalidOperationException($"{Name}: the job ended: {body}");
                Report.Log($"{Name}: completed in {seconds:0.00}s: {body.GetProperty("output")}");
                return (seconds, body);
            }
            if (code != HttpStatusCode.Accepted)
                throw new InvalidOperationException($"{Name}: status answered {(int)code}: {body}\n{host.OutputTail}");
            if (clock.Elapsed - start > timeout)
                throw new TimeoutException($"{Name}: not ended after {timeout.TotalSeconds:0}s: {body}");
            if (clock.Elapsed - lastLog > TimeSpan.FromSeconds(15))
            {
                lastLog = clock.Elapsed;
                Report.Log($"{Name}: {(body.TryGetProperty("customStatus", out var progress) ? Progress(progress) : "")}");
            }
            await Task.Delay(Interval);
        }
    }

    /// <summary><c>POST api/jobs/{id}/terminate</c>: 202, or 410 when it has already ended.</summary>
    public async Task TerminateAsync()
    {
        using var answer = await http.PostAsync($"api/jobs/{Uri.EscapeDataString(Id)}/terminate?reason=benchmark", content: null);
        if (answer.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.Gone))
            throw new InvalidOperationException($"{Name}: terminate answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
    }

    /// <summary>Throws unless the ended job's output counts <paramref name="images"/> images of which <paramref name="failed"/> failed.</summary>
    public void ExpectCounts(JsonElement body, long images, long failed)
    {
        var output = body.GetProperty("output");
        if (output.GetProperty("images").GetInt64() != images || output.GetProperty("failed").GetInt64() != failed)
            throw new InvalidOperationException($"{Name}: expected {images} images and {failed} failed, the job's output says: {output}");
    }

    /// <summary>The job's summary.json (a local file: every dataio job writes into a local folder).</summary>
    public static JsonElement Summary(JsonElement body) =>
        JsonDocument.Parse(File.ReadAllText(body.GetProperty("output").GetProperty("summary").GetString()!)).RootElement;

    /// <summary>The bytes of the job's single predictions file (<c>predictions.jsonl</c> or <c>predictions.parquet</c>).</summary>
    public static long PredictionsBytes(JsonElement body) => new FileInfo(body.GetProperty("output").GetProperty("predictions").GetString()!).Length;

    private static string Progress(JsonElement progress) => progress.ValueKind != JsonValueKind.Object
        ? progress.ToString()
        : string.Join(", ", new[] { "phase", "done", "failed", "total", "imagesPerSecond", "waiting" }
            .Where(k => progress.TryGetProperty(k, out _)).Select(k => $"{k}={progress.GetProperty(k)}"));

    private static async Task<DataJob> PostAsync(HttpClient http, string name, string path, object body)
    {
        var clock = Stopwatch.StartNew();
        using var submit = await http.PostAsJsonAsync(path, body);
        if (submit.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"{name}: POST {path} answered {(int)submit.StatusCode}: {await submit.Content.ReadAsStringAsync()}");
        var id = (await submit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var status = submit.Headers.Location ?? throw new InvalidOperationException($"{name}: no Location header.");
        Report.Log($"{name}: submitted job {id}");
        return new DataJob(http, name, id, status, clock);
    }
}
