using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.EndToEnd.Tests.Support;

/// <summary>
/// The tests' client of /api/jobs: raw answers, so status codes and bodies can be asserted. Sends
/// <paramref name="key"/> (default: the hosts' master key) in the x-functions-key header; null sends none.
/// </summary>
public sealed class JobsHttp(Uri baseUrl, string? key = JobStack.MasterKey) : IDisposable
{
    private readonly HttpClient http = Create(baseUrl, key);

    public Task<HttpResponseMessage> PostJsonAsync(string path, object body) => http.PostAsJsonAsync(path, body);

    public Task<HttpResponseMessage> PostRawAsync(string path, string body) =>
        http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> GetAsync(string path) => http.GetAsync(path);

    public Task<HttpResponseMessage> DeleteAsync(string path) => http.DeleteAsync(path);

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => http.SendAsync(request);

    /// <summary>Submits and returns the job id; fails the test unless the answer is 202 with the management URLs.</summary>
    public async Task<string> SubmitAsync(object job)
    {
        using var response = await PostJsonAsync("api/jobs", job);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"submit answered {(int)response.StatusCode}: {body}");
        var json = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal(json.GetProperty("statusQueryGetUri").GetString(), response.Headers.Location?.ToString());
        return json.GetProperty("id").GetString()!;
    }

    /// <summary>Polls until the job ends (200); returns its final status.</summary>
    public async Task<JsonElement> WaitAsync(string id, TimeSpan timeout, Func<string>? diagnostics = null, Action<JsonElement>? running = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync($"api/jobs/{id}");
            var json = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
            if (response.StatusCode == HttpStatusCode.OK)
                return json;
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            running?.Invoke(json);
            await Task.Delay(250);
        }
        throw new TimeoutException($"job {id} did not end within {timeout}\n{diagnostics?.Invoke()}");
    }

    public void Dispose() => http.Dispose();

    private static HttpClient Create(Uri baseUrl, string? key)
    {
        var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
            http.DefaultRequestHeaders.Add("x-functions-key", key);
        return http;
    }
}
