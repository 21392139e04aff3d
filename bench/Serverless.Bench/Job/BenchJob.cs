using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.Bench;

/// <summary>A batch job through the HTTP API, as a user runs one: POST /api/jobs, then its status URL until 200.</summary>
internal static class BenchJob
{
    /// <summary>
    /// Submits <paramref name="request"/>, polls every 250 ms (logging progress every 15 s) and
    /// answers the wall seconds from POST to the first 200 and the job's output. Throws unless the
    /// job completed with <paramref name="expected"/> images and none failed.
    /// </summary>
    public static async Task<(double Seconds, JsonElement Output)> RunAsync(HttpClient http, HostChild host, object request, int expected)
    {
        var (seconds, output, _) = await RunAsync(http, host, request, expected, new PollCount());
        return (seconds, output);
    }

    /// <summary>As above, counting the status polls in <paramref name="polls"/> (their storage requests are the client's, not the engine's).</summary>
    public static async Task<(double Seconds, JsonElement Output, Uri Status)> RunAsync(HttpClient http, HostChild host, object request, int expected, PollCount polls)
    {
        var sw = Stopwatch.StartNew();
        using var submit = await http.PostAsJsonAsync("api/jobs", request);
        if (submit.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"POST /api/jobs answered {(int)submit.StatusCode}: {await submit.Content.ReadAsStringAsync()}");

        var status = submit.Headers.Location ?? throw new InvalidOperationException("no Location header.");
        var lastLog = TimeSpan.Zero;
        while (true)
        {
            using var poll = await http.GetAsync(status);
            polls.Count++;
            var body = await poll.Content.ReadFromJsonAsync<JsonElement>();
            if (poll.StatusCode == HttpStatusCode.OK)
            {
                var seconds = sw.Elapsed.TotalSeconds;
                var output = body.GetProperty("output");
                if (body.GetProperty("runtimeStatus").GetString() != "Completed" || output.GetProperty("images").GetInt64() != expected || output.GetProperty("failed").GetInt64() != 0)
                    throw new InvalidOperationException($"the job ended: {body}");
                return (seconds, output, status);
            }

            if (poll.StatusCode != HttpStatusCode.Accepted || host.HasExited)
                throw new InvalidOperationException($"status answered {(int)poll.StatusCode}: {body}\n{host.OutputTail}");

            if (sw.Elapsed - lastLog > TimeSpan.FromSeconds(15))
            {
                lastLog = sw.Elapsed;
                Report.Log($"job: {(body.TryGetProperty("customStatus", out var progress) ? progress.ToString() : "")}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Status polls made by <see cref="RunAsync(HttpClient, HostChild, object, int, PollCount)"/>.</summary>
    public sealed class PollCount
    {
        public long Count { get; set; }
    }
}
