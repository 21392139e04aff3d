using System.Net;
using System.Text;
using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// The hostile strings of the hardening issue in every field of every route: percent-encoded control
/// characters, overlong and invalid UTF-8, Unicode that looks like or normalises to <c>..</c> or
/// <c>/</c>, and 100 KB strings, in path segments, query parameters, headers and JSON fields
/// (job source, output and model, drop notifications' bucket and key). None may be answered with
/// a 5xx; every 4xx the app answers carries problem details.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class HostileStringTests(JobStack stack) : IAsyncLifetime
{
    /// <summary>As they go into a URL (percent sequences decoded by the server); JSON fields get the decoded form too.</summary>
    public static readonly string[] Hostile =
    [
        "%00", "a%00b", "%01%1F", "%0D%0Ax-injected:%201", "%7F", "%C0%AE%C0%AE%2F", "%C0%80", "%FF%FE", "%ED%A0%80", "%F4%90%80%80",
        "%E2%80%A5", "%EF%BC%8E%EF%BC%8E%EF%BC%8F", "..%E2%88%95etc", "%E2%80%AE", "%", "%G0",
    ];

    private static readonly string[] QueryNames =
    [
        "status", "runtimeStatus", "top", "continuationToken", "createdTimeFrom", "createdTimeTo", "instanceIdPrefix", "showInput", "showHistory",
        "showHistoryOutput", "reason", "state", "page", "pageSize", "key", "size", "model",
    ];

    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("api", stack.HostEnvironment("Hostile"));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    [Fact]
    public async Task Hostile_strings_in_every_field_of_every_route_get_no_5xx_and_problem_details()
    {
        using var http = new HttpClient { BaseAddress = host!.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        var failures = new List<string>();
        var sent = 0;
        foreach (var (method, template) in RequestFuzzTests.Routes)
        {
            foreach (var value in Hostile)
            {
                var path = template.Replace("{id}", value).Replace("{name}", value).Replace("{file}", value);
                var query = "?" + string.Join("&", QueryNames.Select(n => $"{n}={value}"));
                using var request = new HttpRequestMessage(new HttpMethod(method), path + query);
                request.Headers.Add("x-functions-key", JobStack.MasterKey);
                request.Headers.TryAddWithoutValidation("x-ms-continuation-token", value);
                if (method == "POST")
                    request.Content = new StringContent(Body(template, Uri.UnescapeDataString(value)), Encoding.UTF8, "application/json");
                await SendAsync(http, request, failures);
                sent++;
            }
            // 100 KB in every JSON field and in a header (a URL that long is refused by Kestrel itself, 414).
            var huge = new string('a', 100 * 1024);
            using var big = new HttpRequestMessage(new HttpMethod(method), template.Replace("{id}", "x").Replace("{name}", "x").Replace("{file}", "x"));
            big.Headers.Add("x-functions-key", JobStack.MasterKey);
            if (method == "POST")
                big.Content = new StringContent(Body(template, huge), Encoding.UTF8, "application/json");
            await SendAsync(http, big, failures);
            sent++;
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)) + $"\n({failures.Count} of {sent})\n{host.OutputTail}");
    }

    /// <summary>A body for the route with every field it reads set to <paramref name="value"/>, bare and inside each kind of location.</summary>
    private static string Body(string template, string value) => template switch
    {
        "api/drops/notify" => JsonSerializer.Serialize(new
        {
            Records = new[] { new { s3 = new { bucket = new { name = value }, @object = new { key = value } } } },
        }),
        _ when template.StartsWith("api/jobs", StringComparison.Ordinal) && !template.Contains("raiseEvent", StringComparison.Ordinal) || template.Contains("orchestrators", StringComparison.Ordinal) =>
            JsonSerializer.Serialize(new { id = value, source = "file:///" + value, output = "s3://photos/" + value, model = value, preset = value, format = value }),
        _ => JsonSerializer.Serialize(new { value }),
    };

    private static async Task SendAsync(HttpClient http, HttpRequestMessage request, List<string> failures)
    {
        using var response = await http.SendAsync(request);
        var status = (int)response.StatusCode;
        var type = response.Content.Headers.ContentType?.MediaType;
        var where = $"{request.Method} {Shorten(request.RequestUri!.ToString())}";
        if (status >= 500)
            failures.Add($"{status} {where}: {Shorten(await response.Content.ReadAsStringAsync())}");
        // Kestrel answers a request line or headers too large (414, 431), and a NUL in the path (400, no body), before the app runs.
        else if (status >= 400 && status is not (414 or 431) && !(status == 400 && NulInPath(request.RequestUri)) && type != "application/problem+json")
            failures.Add($"{status} without problem details ({type}) {where}");
    }

    private static bool NulInPath(Uri uri) => uri.AbsolutePath.Contains("%00", StringComparison.Ordinal);

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
