using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.EndToEnd.Tests.Support;

/// <summary>The tests' client of /api/jobs: raw answers, so status codes and bodies can be asserted.</summary>
public sealed class JobsHttp(Uri baseUrl) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };

    public Task<HttpResponseMessage> PostJsonAsync(string path, object body) => http.PostAsJsonAsync(path, body);

    public Task<HttpResponseMessage> PostRawAsync(string path, string body) =>
        http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> GetAsync(string path) => http.GetAsync(path);

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
    public async Task<JsonElement> WaitAsync(string id, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync($"api/jobs/{id}");
            var json = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
            if (response.StatusCode == HttpStatusCode.OK)
                return json;
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            await Task.Delay(500);
        }
        throw new TimeoutException($"job {id} did not end within {timeout}\n{diagnostics?.Invoke()}");
    }

    public void Dispose() => http.Dispose();
}
