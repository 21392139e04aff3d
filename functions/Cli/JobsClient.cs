using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.BatchInference.Contracts;

namespace Serverless.Cli;

/// <summary>
/// The CLI's HTTP client for <c>/api/jobs</c>. A host that cannot be reached, does not answer in
/// time, or answers an error becomes a <see cref="JobsClientException"/> with one line to show
/// (for an error answer: its status and the problem's title and detail).
/// </summary>
internal sealed class JobsClient(Uri baseUrl, string? key, TimeSpan timeout) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly HttpClient http = CreateHttp(baseUrl, key, timeout);

    public async Task<JsonElement> SubmitAsync(JobRequest request, CancellationToken ct) =>
        await SendAsync(HttpMethod.Post, "api/jobs", JsonContent.Create(request, options: Json), ct) ?? throw new JobsClientException("empty answer to the submission");

    /// <summary>The job's status (with its input when <paramref name="showInput"/>), or null when the host does not know the id.</summary>
    public async Task<JsonElement?> GetAsync(string id, CancellationToken ct, bool showInput = false) =>
        await SendAsync(HttpMethod.Get, $"api/jobs/{Uri.EscapeDataString(id)}{(showInput ? "?showInput=true" : "")}", null, ct, allowNotFound: true);

    /// <summary>The job's status; an unknown id is a <see cref="JobsClientException"/>.</summary>
    public async Task<JsonElement> GetKnownAsync(string id, CancellationToken ct, bool showInput = false) =>
        await GetAsync(id, ct, showInput) ?? throw new JobsClientException($"no job with id '{id}'");

    /// <summary>
    /// Up to <paramref name="limit"/> jobs, newest first, following the host's continuation tokens
    /// page by page; the token is the one to go on from when more jobs remain, else null.
    /// </summary>
    public async Task<(List<JsonElement> Jobs, string? ContinuationToken)> ListAsync(string? status, int limit, CancellationToken ct)
    {
        var jobs = new List<JsonElement>();
        string? token = null;
        do
        {
            var query = $"?top={Math.Min(limit - jobs.Count, 1000)}" + (status is null ? "" : $"&status={Uri.EscapeDataString(status)}")
                + (token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}");
            var page = await SendAsync(HttpMethod.Get, "api/jobs" + query, null, ct);
            if (page is not { ValueKind: JsonValueKind.Object } body || !body.TryGetProperty("jobs", out var items) || items.ValueKind != JsonValueKind.Array)
                throw new JobsClientException("the host's answer to the job list has no jobs array");
            jobs.AddRange(items.EnumerateArray());
            token = body.TryGetProperty("continuationToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (token is not null && jobs.Count < limit);
        // A host gives at most top per page; one that gives more is cut at the limit all the same.
        return (jobs.Count > limit ? jobs[..limit] : jobs, token);
    }

    /// <summary>Asks the host to terminate the job (and its pages): 202, or 410 when it has already ended (master key).</summary>
    public async Task TerminateAsync(string id, string? reason, CancellationToken ct) =>
        await SendAsync(HttpMethod.Post, $"api/jobs/{Uri.EscapeDataString(id)}/terminate{(reason is null ? "" : $"?reason={Uri.EscapeDataString(reason)}")}", null, ct);

    /// <summary>Deletes an ended job's history (and its pages'): the number of instances deleted (master key).</summary>
    public async Task<int> PurgeAsync(string id, CancellationToken ct)
    {
        var answer = await SendAsync(HttpMethod.Delete, $"api/jobs/{Uri.EscapeDataString(id)}", null, ct);
        return answer is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("instancesDeleted", out var deleted) && deleted.TryGetInt32(out var n)
            ? n
            : throw new JobsClientException($"the host's answer to the purge of '{id}' has no instancesDeleted");
    }

    /// <summary>
    /// The job's rows as JSON Lines from the host (<c>GET api/jobs/{id}/results</c>), <paramref name="merged"/>: the newest
    /// row per key over the job and its reruns. Read whole before it is returned (the client is disposed after).
    /// </summary>
    public async Task<Stream> OpenResultsAsync(string id, bool merged, CancellationToken ct)
    {
        var path = $"api/jobs/{Uri.EscapeDataString(id)}/results{(merged ? "?merged=true" : "")}";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await SendOrExplainAsync(request, ct, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
            throw new JobsClientException($"{(int)response.StatusCode} {response.ReasonPhrase}: {ProblemText(await response.Content.ReadAsStringAsync(ct))}");
        var copy = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        await response.Content.CopyToAsync(copy, ct);
        copy.Position = 0;
        return copy;
    }

    public void Dispose() => http.Dispose();

    /// <summary>Sends one request; an error answer (or none) is a <see cref="JobsClientException"/> with one line to show.</summary>
    internal async Task<JsonElement?> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct, bool allowNotFound = false)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        var response = await SendOrExplainAsync(request, ct);
        using (response)
        {
            if (allowNotFound && response.StatusCode == HttpStatusCode.NotFound)
                return null;
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new JobsClientException($"{(int)response.StatusCode} {response.ReasonPhrase}: {ProblemText(text)}");
            if (text.Length == 0)
                return null;
            try
            {
                return JsonSerializer.Deserialize<JsonElement>(text);
            }
            catch (JsonException)
            {
                throw new JobsClientException($"the answer of {baseUrl} to {method} {path} is not JSON ({(int)response.StatusCode}, {response.Content.Headers.ContentType}): is --url a serverless host?");
            }
        }
    }

    /// <summary>Sends a request; no answer is a <see cref="JobsClientException"/> saying why.</summary>
    private async Task<HttpResponseMessage> SendOrExplainAsync(HttpRequestMessage request, CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        try
        {
            return await http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e)
        {
            var cause = e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal) ? $"{e.Message} {inner.Message}" : e.Message;
            throw new JobsClientException($"cannot reach the host at {baseUrl}: {cause} (is `serverless host` running? set --url or SERVERLESS_URL)");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            // HttpClient.Timeout, not Ctrl+C.
            throw new JobsClientException($"no answer from the host at {baseUrl} within {http.Timeout.TotalSeconds:0.###} s ({request.Method} {request.RequestUri}; --request-timeout to wait longer)");
        }
    }

    /// <summary>The title, detail and field errors of a problem-details body, on one line.</summary>
    private static string ProblemText(string body)
    {
        try
        {
            var problem = JsonSerializer.Deserialize<JsonElement>(body);
            var parts = new List<string>();
            if (problem.TryGetProperty("title", out var title)) parts.Add(title.GetString() ?? "");
            if (problem.TryGetProperty("detail", out var detail)) parts.Add(detail.GetString() ?? "");
            if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                parts.AddRange(errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join("; ", e.Value.EnumerateArray().Select(v => v.GetString()))}"));
            return string.Join(" ", parts.Where(p => p.Length > 0));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not a problem-details object (a proxy's HTML page, a JSON array): its first characters.
            return body.Length > 200 ? body[..200] + "..." : body;
        }
    }

    private static HttpClient CreateHttp(Uri baseUrl, string? key, TimeSpan timeout)
    {
        var http = new HttpClient { BaseAddress = baseUrl, Timeout = timeout };
        if (!string.IsNullOrEmpty(key))
            http.DefaultRequestHeaders.Add("x-functions-key", key);
        return http;
    }
}

/// <summary>An error answer of the host, or no answer, with the text to show the user.</summary>
internal sealed class JobsClientException(string message) : CliException(message);
