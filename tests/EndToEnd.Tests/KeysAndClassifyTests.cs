using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Serverless.EndToEnd.Tests.Support;
using Serverless.Storage;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// <c>POST /api/classify</c> and the keys on every endpoint, over a real host process: the right
/// key works, no key or a wrong one is 401, a function key cannot terminate or purge, /healthz
/// needs nothing; body limits are 413 and a local source outside the root is a 400.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed partial class KeysAndClassifyTests(JobStack stack) : IAsyncLifetime
{
    private const long ClassifyLimit = 1024 * 1024;
    private readonly TempDir root = new("keys-root");
    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("all", stack.HostEnvironment("KeysJobs", new Dictionary<string, string>
    {
        ["classify__defaultModel"] = stack.MobileNet,
        ["http__maxRequestBodyBytes__classify"] = ClassifyLimit.ToString(),
        ["jobs__localRoot"] = root.Path,
    }));

    public async Task DisposeAsync()
    {
        await host!.DisposeAsync();
        root.Dispose();
    }

    [Fact]
    public async Task Classify_answers_what_the_classify_command_says()
    {
        var photos = Directory.GetFiles(RepoPaths.ImagenetSample200, "*.*").Order(StringComparer.Ordinal).Take(2).ToArray();
        using var folder = new TempDir("classify-one");
        foreach (var photo in photos)
            File.Copy(photo, Path.Combine(folder.Path, Path.GetFileName(photo)));
        var mobileNet = await S3JobTests.ClassifyLocallyAsync(folder.Path, stack.MobileNet);
        var dominant = await S3JobTests.ClassifyLocallyAsync(folder.Path, stack.DominantColor);

        using var http = new JobsHttp(host!.BaseUrl, JobStack.FunctionKey);
        foreach (var photo in photos)
        {
            var name = Path.GetFileName(photo);
            // Raw bytes, the default model (classify:defaultModel), the default top 5.
            var raw = await ClassifyOkAsync(http, "api/classify", new ByteArrayContent(await File.ReadAllBytesAsync(photo)));
            Assert.Equal(5, raw.GetProperty("top").GetArrayLength());
            Assert.Equal(mobileNet[name], raw.GetProperty("top")[0].GetProperty("label").GetString());
            // The default model is configured by its full path; the answer names it in the models root (issue 25 item 19).
            Assert.Equal("models/mobilenetv2.onnx", raw.GetProperty("model").GetString());

            // Multipart with a file field, model and top as form fields.
            using var form = new MultipartFormDataContent
            {
                { new ByteArrayContent(await File.ReadAllBytesAsync(photo)), "file", name },
                { new StringContent(stack.DominantColor), "model" },
                { new StringContent("2"), "top" },
            };
            var multipart = await ClassifyOkAsync(http, "api/classify", form);
            Assert.Equal(name, multipart.GetProperty("key").GetString());
            Assert.Equal(2, multipart.GetProperty("top").GetArrayLength());
            Assert.Equal(dominant[name], multipart.GetProperty("top")[0].GetProperty("label").GetString());
        }
    }

    [Fact]
    public async Task Bad_images_are_400_with_the_reason_code_and_bad_parameters_name_the_field()
    {
        using var folder = new TempDir("classify-bad");
        var expected = BadFiles.Write(folder.Path, Directory.GetFiles(RepoPaths.ImagenetSample200).Order(StringComparer.Ordinal).First());
        // A header alone is unreadable to the PNG codec (corrupt_image); a complete PNG declaring 50,000 x 50,000 is the bomb.
        File.WriteAllBytes(Path.Combine(folder.Path, "bad_bomb.png"), HugePng(50_000, 50_000));
        using var http = new JobsHttp(host!.BaseUrl, JobStack.FunctionKey);
        foreach (var (name, code) in expected)
        {
            using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "api/classify")
            {
                Content = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(folder.Path, name))),
            });
            var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.True(code == problem.GetProperty("code").GetString(), $"{name}: {problem}");
        }

        var photo = await File.ReadAllBytesAsync(Directory.GetFiles(RepoPaths.ImagenetSample200).First());
        var broken = new ByteArrayContent("no boundary in here"u8.ToArray());
        broken.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        using (var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "api/classify") { Content = broken }))
            Assert.True((await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("body", out _));
        foreach (var (query, field) in new[] { ("model=/nowhere/missing.onnx", "model"), ("top=0", "top"), ("top=many", "top") })
        {
            using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"api/classify?{query}") { Content = new ByteArrayContent(photo) });
            var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }

    [Fact]
    public async Task Bodies_over_the_limit_are_413()
    {
        using var http = new JobsHttp(host!.BaseUrl, JobStack.FunctionKey);
        var big = new byte[ClassifyLimit + 1];
        new Random(1).NextBytes(big);
        // A declared length over the limit is refused before the body is read; with Expect: 100-continue
        // (what curl sends for large bodies) the client learns it without sending the body, so no broken pipe.
        var declared = new HttpRequestMessage(HttpMethod.Post, "api/classify") { Content = new ByteArrayContent(big) };
        declared.Headers.ExpectContinue = true;
        using (var response = await http.SendAsync(declared))
            await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);

        // No Content-Length: the server stops reading at the limit and answers 413, or the client,
        // still sending, sees the connection closed first. Never a 400 for a "bad image" read in full.
        var chunked = new HttpRequestMessage(HttpMethod.Post, "api/classify") { Content = new ByteArrayContent(big) };
        chunked.Headers.TransferEncodingChunked = true;
        try
        {
            using var response = await http.SendAsync(chunked);
            await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        }
        catch (HttpRequestException e) when (e.InnerException is IOException)
        {
        }
        using (var healthy = await http.GetAsync("healthz"))
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);

        // /api/jobs takes 1 MiB of JSON at most.
        var job = $$"""{"source": "s3://photos/imagenet/", "model": "{{stack.DominantColor}}", "padding": "{{new string('x', 1024 * 1024)}}"}""";
        var jobRequest = new HttpRequestMessage(HttpMethod.Post, "api/jobs") { Content = new StringContent(job, System.Text.Encoding.UTF8, "application/json") };
        jobRequest.Headers.ExpectContinue = true;
        using (var response = await http.SendAsync(jobRequest))
            await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Every_endpoint_needs_the_right_key_and_healthz_none()
    {
        using var master = new JobsHttp(host!.BaseUrl, JobStack.MasterKey);
        using var function = new JobsHttp(host.BaseUrl, JobStack.FunctionKey);
        using var none = new JobsHttp(host.BaseUrl, key: null);
        using var wrong = new JobsHttp(host.BaseUrl, "not-" + JobStack.FunctionKey);
        var photo = Directory.GetFiles(RepoPaths.ImagenetSample200).First();
        var job = new { source = $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}", model = stack.DominantColor, output = $"s3://{JobStack.Bucket}/results/keys" };
        var id = await function.SubmitAsync(job);

        Func<HttpRequestMessage>[] endpoints =
        [
            () => new HttpRequestMessage(HttpMethod.Post, "api/jobs") { Content = JsonContent(job) },
            () => new HttpRequestMessage(HttpMethod.Get, "api/jobs"),
            () => new HttpRequestMessage(HttpMethod.Get, $"api/jobs/{id}"),
            () => new HttpRequestMessage(HttpMethod.Post, $"api/jobs/{id}/terminate"),
            () => new HttpRequestMessage(HttpMethod.Delete, $"api/jobs/{id}"),
            () => new HttpRequestMessage(HttpMethod.Post, "api/classify") { Content = new ByteArrayContent(File.ReadAllBytes(photo)) },
            () => new HttpRequestMessage(HttpMethod.Get, "api/no-such-endpoint"),
            () => new HttpRequestMessage(HttpMethod.Post, $"api/jobs/{id}/raiseEvent/ping") { Content = JsonContent(new { }) },
            () => new HttpRequestMessage(HttpMethod.Post, $"runtime/webhooks/durabletask/instances/{id}/raiseEvent/ping") { Content = JsonContent(new { }) },
        ];
        foreach (var endpoint in endpoints)
        {
            foreach (var client in new[] { none, wrong })
            {
                using var request = endpoint();
                using var response = await client.SendAsync(request);
                await ProblemAsync(response, HttpStatusCode.Unauthorized);
            }
            // The key in the query string (?code=) is wrong too.
            using var withCode = endpoint();
            withCode.RequestUri = new Uri(withCode.RequestUri + "?code=wrong", UriKind.Relative);
            using var wrongCode = await none.SendAsync(withCode);
            await ProblemAsync(wrongCode, HttpStatusCode.Unauthorized);
        }

        // The function key is enough for jobs and classify, in the header or as ?code=.
        await ExpectAsync(function, endpoints[0](), HttpStatusCode.Accepted);
        await ExpectAsync(function, endpoints[1](), HttpStatusCode.OK);
        var status = await function.SendAsync(endpoints[2]());
        Assert.True(status.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{status.StatusCode}");
        await ExpectAsync(function, endpoints[5](), HttpStatusCode.OK);
        await ExpectAsync(none, new HttpRequestMessage(HttpMethod.Get, $"api/jobs?code={JobStack.FunctionKey}"), HttpStatusCode.OK);

        // Every change of a job (terminate, purge, an event), on either route family, is admin: a function key is 403, the master key works.
        foreach (var admin in new[] { endpoints[3], endpoints[4], endpoints[7], endpoints[8] })
            await ProblemAsync(await function.SendAsync(admin()), HttpStatusCode.Forbidden);
        var raised = await master.SendAsync(endpoints[7]());
        Assert.True(raised.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Gone, $"raiseEvent: {raised.StatusCode}");
        var terminate = await master.SendAsync(endpoints[3]());
        Assert.True(terminate.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Gone, $"terminate: {terminate.StatusCode}");
        await function.WaitAsync(id, TimeSpan.FromMinutes(2), () => host.OutputTail);
        await ExpectAsync(master, endpoints[4](), HttpStatusCode.OK);
        await ExpectAsync(master, endpoints[2](), HttpStatusCode.NotFound);

        await ExpectAsync(none, new HttpRequestMessage(HttpMethod.Get, "healthz"), HttpStatusCode.OK);
        Assert.DoesNotContain(JobStack.MasterKey, host.OutputTail);
        Assert.DoesNotContain(JobStack.FunctionKey, host.OutputTail);
    }

    [Fact]
    public async Task A_local_source_outside_the_root_is_refused()
    {
        using var http = new JobsHttp(host!.BaseUrl, JobStack.FunctionKey);
        foreach (var source in new[] { "../../etc", "/etc", $"file://{Path.GetFullPath("/etc")}", Path.Combine(root.Path, "..", "elsewhere") })
        {
            using var response = await http.PostJsonAsync("api/jobs", new { source, model = stack.DominantColor });
            var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("source", out _), $"{source}: {problem}");
        }

        // Inside the root it runs, and its results land inside the root too.
        var images = Directory.CreateDirectory(Path.Combine(root.Path, "images")).FullName;
        foreach (var photo in Directory.GetFiles(RepoPaths.ImagenetSample200).Order(StringComparer.Ordinal).Take(3))
            File.Copy(photo, Path.Combine(images, Path.GetFileName(photo)));
        var id = await http.SubmitAsync(new { source = images, model = stack.DominantColor });
        var status = await http.WaitAsync(id, TimeSpan.FromMinutes(2), () => host.OutputTail);
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        Assert.True(File.Exists(Path.Combine(root.Path, "results", id, "predictions.jsonl")));
    }

    [Fact]
    public async Task Without_configured_keys_the_hub_storage_holds_one_master_key_for_every_process()
    {
        var environment = stack.HostEnvironment("KeysFromBlob");
        environment.Remove("SERVERLESS_MASTER_KEY");
        environment.Remove("keys__functions__e2e");
        await using var first = await HostProcess.StartAsync("api", environment);
        await using var second = await HostProcess.StartAsync("api", environment);

        var store = ResultStoreFactory.Create("azblob://serverless-secrets/keysfromblob/", stack.Connections);
        var secrets = JsonSerializer.Deserialize<JsonElement>(await store.ReadAsync("host.json"));
        var masterKey = secrets.GetProperty("masterKey").GetProperty("value").GetString()!;
        var functionKey = secrets.GetProperty("functionKeys")[0].GetProperty("value").GetString()!;
        foreach (var process in new[] { first, second })
        {
            using var master = new JobsHttp(process.BaseUrl, masterKey);
            using var function = new JobsHttp(process.BaseUrl, functionKey);
            await ExpectAsync(master, new HttpRequestMessage(HttpMethod.Delete, "api/jobs/no-such-job"), HttpStatusCode.NotFound);
            await ExpectAsync(function, new HttpRequestMessage(HttpMethod.Get, "api/jobs"), HttpStatusCode.OK);
            await ProblemAsync(await function.DeleteAsync("api/jobs/no-such-job"), HttpStatusCode.Forbidden);
            Assert.Contains("serverless-secrets/keysfromblob/host.json", process.OutputTail);
            Assert.DoesNotContain(masterKey, process.OutputTail);
        }
    }

    [Fact]
    public async Task A_key_sent_as_code_never_reaches_the_log_and_a_request_is_one_line()
    {
        // ASP.NET Core's own default level, not the quieter one the other tests run with.
        var environment = stack.HostEnvironment("KeysLog", new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Information" });
        await using var host = await HostProcess.StartAsync("all", environment);
        using var anonymous = new JobsHttp(host.BaseUrl, key: null);
        const string wrongKey = "not-the-key-but-secret-too";

        await ExpectAsync(anonymous, new HttpRequestMessage(HttpMethod.Get, $"api/jobs?top=3&code={JobStack.MasterKey}"), HttpStatusCode.OK);
        await ExpectAsync(anonymous, new HttpRequestMessage(HttpMethod.Get, $"api/jobs/keys-log-probe?code={JobStack.FunctionKey}"), HttpStatusCode.NotFound);
        await ProblemAsync(await anonymous.GetAsync($"api/jobs?code={wrongKey}"), HttpStatusCode.Unauthorized);
        await Task.Delay(500);

        var log = host.OutputTail;
        Assert.DoesNotContain(JobStack.MasterKey, log);
        Assert.DoesNotContain(JobStack.FunctionKey, log);
        Assert.DoesNotContain(wrongKey, log);
        Assert.Contains("HTTP GET /api/jobs?top=3&code=*** 200", log);
        Assert.Single(log.Split('\n'), line => line.Contains("keys-log-probe", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_configured_origins_no_cross_origin_call_is_allowed()
    {
        using var http = new HttpClient { BaseAddress = host!.BaseUrl };
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "api/jobs");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var response = await http.SendAsync(preflight);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Without_a_task_hub_connection_the_host_says_it_needs_one_and_exits()
    {
        var (exitCode, stdout, stderr) = await HostProcess.RunCliAsync(["host", "--port", FreePort.Next().ToString()],
            new Dictionary<string, string> { ["AzureWebJobsStorage"] = "" });

        Assert.Equal(1, exitCode);
        Assert.Contains("needs a task hub in Azure Storage and AzureWebJobsStorage is not set", stderr);
        Assert.DoesNotContain("   at ", stderr + stdout);
    }

    /// <summary>A valid PNG declaring a huge image whose only row is compressed to a few bytes: a decompression bomb.</summary>
    private static byte[] HugePng(int width, int height)
    {
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        var idat = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            z.Write(new byte[1 + width * 3]);
        var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        foreach (var (type, data) in new[] { ("IHDR", ihdr), ("IDAT", idat.ToArray()), ("IEND", Array.Empty<byte>()) })
        {
            var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            var word = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
            png.Write(word);
            png.Write(typeAndData);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(word, System.IO.Hashing.Crc32.HashToUInt32(typeAndData));
            png.Write(word);
        }
        return png.ToArray();
    }

    private static StringContent JsonContent(object value) =>
        new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static async Task<JsonElement> ClassifyOkAsync(JobsHttp http, string path, HttpContent content)
    {
        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = content });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    private static async Task ExpectAsync(JobsHttp http, HttpRequestMessage request, HttpStatusCode expected)
    {
        using (request)
        using (var response = await http.SendAsync(request))
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {text}");
        }
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
            Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString());
            return JsonSerializer.Deserialize<JsonElement>(text);
        }
    }
}
