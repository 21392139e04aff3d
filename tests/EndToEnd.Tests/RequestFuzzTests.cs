using System.Net;
using System.Text;
using Serverless.EndToEnd.Tests.Support;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// A few hundred malformed requests (with headers such as x-ms-continuation-token) to every route of the host, from a seeded generator (a failure
/// is repeatable): none may be answered with a 5xx, and every 4xx must carry problem details.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class RequestFuzzTests(JobStack stack) : IAsyncLifetime
{
    /// <summary>Every route: method and path, with {id}, {name} and {file} filled by the generator; the instance routes of both families, the dashboard's and /metrics from their own lists.</summary>
    public static readonly (string Method, string Path)[] Routes =
    [
        ("GET", "healthz"),
        ("POST", "api/jobs"),
        ("POST", "api/jobs/{id}/rerun"),
        ("GET", "api/jobs/{id}/results"),
        ("POST", "api/classify"),
        ("POST", "api/drops/notify"),
        .. Serverless.Api.InstanceApi.Routes.Select(r => (r.Method, r.Pattern.Replace("{eventName}", "{name}"))),
        ("GET", "api/tenants"),
        ("GET", "api/tenants/{name}"),
        ("PUT", "api/tenants/{name}"),
        ("DELETE", "api/tenants/{name}"),
        ("POST", "api/keys"),
        ("GET", "api/keys"),
        ("DELETE", "api/keys/{id}"),
        .. Serverless.Host.Dashboard.DashboardRoutes.All.Select(r => (r.Method, r.Pattern)),
    ];

    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("all", stack.HostEnvironment("Fuzz"));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    [Fact]
    public async Task No_malformed_request_gets_a_5xx_and_every_4xx_is_problem_details()
    {
        var random = new Random(20261201);
        using var http = new HttpClient { BaseAddress = host!.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var failures = new List<string>();
        for (var i = 0; i < 20 * Routes.Length; i++)
        {
            var (method, template) = Routes[i % Routes.Length];
            using var request = new HttpRequestMessage(new HttpMethod(method), Fill(template, random) + Query(random, template));
            if (random.Next(4) > 0)
                request.Headers.Add("x-functions-key", random.Next(10) == 0 ? "wrong-key" : JobStack.MasterKey);
            if (random.Next(5) == 0)
                request.Headers.TryAddWithoutValidation("x-ms-continuation-token", Pick(random, "garbage", "{}", Escape(RandomText(random, 1, 30))));
            if (method is "POST" or "PUT")
                request.Content = Body(random, template);
            using var response = await http.SendAsync(request);
            var status = (int)response.StatusCode;
            var type = response.Content.Headers.ContentType?.MediaType;
            if (status >= 500)
                failures.Add($"{status} {method} {request.RequestUri}: {await response.Content.ReadAsStringAsync()}");
            else if (status >= 400 && type != "application/problem+json")
                failures.Add($"{status} without problem details ({type}) {method} {request.RequestUri}");
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)) + $"\n({failures.Count} in all)\n{host.OutputTail}");
    }

    private static string Fill(string template, Random random) =>
        template.Replace("{id}", Escape(random.Next(8) switch
        {
            0 => "job-" + random.Next(),
            1 => new string('x', 300),
            2 => "a b c",
            3 => "~page:000001",
            4 => "..",
            5 => "é中文",
            6 => "%00",
            _ => RandomText(random, 1, 40),
        })).Replace("{name}", Escape(RandomText(random, 1, 30)))
        .Replace("{file}", Escape(Pick(random, "app.js", "..", "../index.html", "%00", "a/b", new string('f', 300), RandomText(random, 1, 30))));

    private static string Query(Random random, string template) => random.Next(8) switch
    {
        0 => "",
        1 => "?top=" + Pick(random, "0", "-1", "99999999999", "abc", "1e3", "", "5"),
        2 => "?status=" + Escape(Pick(random, "Running", "7", "running,completed", "Bogus", ",,", "Running,")),
        3 => "?continuationToken=" + Escape(Pick(random, "!!!", "dA", RandomText(random, 1, 60), "t-000")),
        4 when template.Contains("dashboard") => "?state=" + Escape(Pick(random, "Running", "bogus", "")) + "&page=" + Pick(random, "-1", "x", "99999999999")
            + "&pageSize=" + Pick(random, "0", "1e3", "100000") + "&key=" + Escape(Pick(random, "../../etc/passwd", "\0", RandomText(random, 1, 40))) + "&size=" + Pick(random, "-5", "0", "99999", "big"),
        4 => "?model=" + Escape(Pick(random, "/etc/passwd", "../../x.onnx", "\0", "models/none.onnx", new string('m', 500))) + "&top=" + Pick(random, "3", "x", "0"),
        _ => "?showInput=" + Pick(random, "true", "maybe", "") + "&reason=" + Escape(RandomText(random, 0, 20)),
    };

    private static HttpContent Body(Random random, string template)
    {
        var texts = new[]
        {
            "", "null", "[]", "{}", "42", "\"text\"", "{", "{\"source\":", "not json", "\u0000\u0001\u0002",
            "{\"source\": 5, \"model\": []}", "{\"source\": \"s3://photos/a\\u0000b\", \"model\": \"x\"}",
            "{\"source\": \"s3://photos/../x\", \"model\": \"x\"}", "{\"source\": \"/etc\", \"model\": \"/etc/passwd\"}",
            "{\"batchSize\": 99999999999999999999}", "{\"top\": -1, \"maxFailedPercent\": \"NaN\"}", "{\"id\": \"~page\"}",
            "{\"objects\":[{\"kind\":\"S3\"}]}", "{\"objects\":[1]}", "{\"Records\":[1]}", "{\"Records\":[{\"s3\":5}]}",
            "{\"allowSources\":[\"s3://photos/a/*\"],\"allowOutputs\":[\"s3://photos/b/*\"],\"modelsDir\":\"m\"}",
            "{\"allowSources\":[null],\"allowOutputs\":\"x\"}", "{\"allowSources\":[\"s3://images*\"],\"allowOutputs\":[\"%2e\"],\"modelsDir\":\"/etc\"}",
            "{\"tenant\":\"nobody\",\"role\":\"reader\"}", "{\"tenant\":7,\"role\":[]}", "{\"tenant\":\"a\",\"role\":\"owner\"}",
            "{\"failed\":true,\"reasons\":[null,\"x\"]}", "{\"failed\":\"yes\",\"output\":\"s3://photos/a\\u0000b\"}",
            "{\"eventType\":1}", "[{\"eventType\":\"Microsoft.Storage.BlobCreated\",\"subject\":7}]", "{\"type\":[],\"data\":{}}",
            new string('[', 2000) + new string(']', 2000), "{\"a\":" + new string('1', 5000) + "}",
        };
        var text = random.Next(5) == 0 ? RandomText(random, 0, 200) : texts[random.Next(texts.Length)];
        var bytes = random.Next(8) == 0 ? RandomBytes(random, random.Next(1, 3000)) : Encoding.UTF8.GetBytes(text);
        var content = new ByteArrayContent(bytes);
        var type = random.Next(6) switch
        {
            0 => "application/json",
            1 => "multipart/form-data; boundary=xyz",
            2 => "multipart/form-data",
            3 => "image/jpeg",
            4 => "text/plain; charset=bogus",
            _ => null,
        };
        if (type is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", type);
        return content;
    }

    private static string RandomText(Random random, int min, int max)
    {
        var length = random.Next(min, max + 1);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
            builder.Append((char)random.Next(1, 0x2FF));
        return builder.ToString();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];

    private static string Escape(string text) => Uri.EscapeDataString(text);
}
