using System.Net;
using Serverless.EndToEnd.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Tenants;

/// <summary>
/// <c>/api/classify</c> under concurrent requests: past the process bound (or a tenant's share of it)
/// a 429 with <c>Retry-After</c> at once, not a queue; a slot held by a request whose body is still
/// coming in counts, and is free again when it ends. No step depends on how fast the host is: a held
/// request that a probe beat to the slot (refused itself) is sent again until it holds the slot.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class ClassifyBackpressureTests(JobStack stack) : IAsyncLifetime
{
    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("api", stack.HostEnvironment("Backpressure" + Guid.NewGuid().ToString("N")[..6], new Dictionary<string, string>
    {
        ["classify__defaultModel"] = stack.DominantColor,
        ["classify__maxConcurrent"] = "2",
        ["classify__tenantShare"] = "0.5",
        ["classify__retryAfterSeconds"] = "3",
    }));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    [Fact]
    public async Task Past_the_bound_and_past_a_tenants_share_classify_answers_429_with_retry_after()
    {
        var photo = await File.ReadAllBytesAsync(Directory.GetFiles(RepoPaths.ImagenetSample200).Order(StringComparer.Ordinal).First());
        using var admin = new JobsHttp(host!.BaseUrl);
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await admin.SendAsync(TenantAdminTests.Put("api/tenants/team-a",
            new { allowSources = new[] { "s3://photos/team-a/*" }, allowOutputs = new[] { "s3://photos/results-a/*" } })));
        var (_, tenantKey) = await TenantAdminTests.CreateKeyAsync(admin, "team-a", "submitter");
        using var tenant = new JobsHttp(host.BaseUrl, tenantKey);
        using var function = new JobsHttp(host.BaseUrl, JobStack.FunctionKey);

        // Warm: the model loaded, so no probe waits on it.
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await function.SendAsync(Classify(photo)));

        // The race a loaded machine makes likely, made certain: a held request that finds the tenant's one
        // slot (share 0.5 of 2) taken is refused itself; once the slot is free the probes send it again.
        using var blocker = await HeldRequest.StartAsync(host.BaseUrl, tenantKey, photo);
        await FirstRefusalAsync(tenant, photo, blocker);
        using var tenantHeld = await HeldRequest.StartAsync(host.BaseUrl, tenantKey, photo);
        await tenantHeld.WaitAnsweredAsync();
        Assert.Equal("HTTP/1.1 200 OK", await blocker.FinishAsync());

        // The tenant's one slot, held by a request whose body has not all come.
        var refused = await FirstRefusalAsync(tenant, photo, tenantHeld);
        Assert.True(tenantHeld.Restarts >= 1, "the refused held request was not sent again");
        Assert.Contains("tenant 'team-a'", refused, StringComparison.Ordinal);
        // The process still has a slot: a function key's request is served.
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await function.SendAsync(Classify(photo)));

        // Both slots held: every key is refused, the message names the process bound.
        using var functionHeld = await HeldRequest.StartAsync(host.BaseUrl, JobStack.FunctionKey, photo);
        Assert.Contains("classify:maxConcurrent = 2", await FirstRefusalAsync(function, photo, functionHeld), StringComparison.Ordinal);

        // Ended, the slots are free again.
        Assert.Equal("HTTP/1.1 200 OK", await tenantHeld.FinishAsync());
        Assert.Equal("HTTP/1.1 200 OK", await functionHeld.FinishAsync());
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await tenant.SendAsync(Classify(photo)));
    }

    /// <summary>
    /// Classifies until one answer is 429; checks its Retry-After. Until then the held request may not
    /// have reached the handler yet, or may have found the slot taken by a probe and been refused
    /// itself (a loaded machine makes that likely): then it is sent again, so the probes end only
    /// when it holds the slot. The deadline is a hang bound, not a speed assertion.
    /// </summary>
    private static async Task<string> FirstRefusalAsync(JobsHttp http, byte[] photo, HeldRequest held)
    {
        var last = "";
        var restarts = 0;
        for (var deadline = DateTime.UtcNow.AddMinutes(3); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            using var response = await http.SendAsync(Classify(photo));
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (await held.RestartIfAnsweredAsync())
                    restarts++;
                continue;
            }
            Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
            return await response.Content.ReadAsStringAsync();
        }
        throw new TimeoutException($"no 429 while the slots were held ({restarts} held requests refused and sent again); the last answer: {last}");
    }

    private static HttpRequestMessage Classify(byte[] photo) => new(HttpMethod.Post, "api/classify") { Content = new ByteArrayContent(photo) };

    /// <summary>
    /// A classify request over a raw connection whose body trickles in (64 bytes every 100 ms, above
    /// Kestrel's minimum data rate, which aborts a stalled body after its 5 s grace) and is not
    /// complete until <see cref="FinishAsync"/>: a slow upload, without an HTTP client's own buffering.
    /// </summary>
    private sealed class HeldRequest : IDisposable
    {
        private readonly Uri baseUrl;
        private readonly string key;
        private readonly byte[] bytes;
        private System.Net.Sockets.TcpClient tcp = new();
        private CancellationTokenSource stop = new();
        private Task<int> trickle = Task.FromResult(0);

        /// <summary>How many times the request was refused and sent again.</summary>
        public int Restarts { get; private set; }

        private HeldRequest(Uri baseUrl, string key, byte[] bytes)
        {
            this.baseUrl = baseUrl;
            this.key = key;
            this.bytes = bytes;
        }

        public static async Task<HeldRequest> StartAsync(Uri baseUrl, string key, byte[] bytes)
        {
            var held = new HeldRequest(baseUrl, key, bytes);
            await held.SendHeadAsync();
            return held;
        }

        /// <summary>
        /// When the host has already answered this request (it can only be a refusal: the body is not
        /// complete), sends it again on a new connection; true when it did.
        /// </summary>
        public async Task<bool> RestartIfAnsweredAsync()
        {
            // Readable without blocking: an answer came, or the host closed the connection.
            if (!tcp.Client.Poll(0, System.Net.Sockets.SelectMode.SelectRead))
                return false;
            await stop.CancelAsync();
            await trickle;
            tcp.Dispose();
            tcp = new System.Net.Sockets.TcpClient();
            stop = new CancellationTokenSource();
            await SendHeadAsync();
            Restarts++;
            return true;
        }

        /// <summary>Waits until the host has answered this request (a refusal); the bound is a hang bound.</summary>
        public async Task WaitAnsweredAsync()
        {
            for (var deadline = DateTime.UtcNow.AddMinutes(2); !tcp.Client.Poll(0, System.Net.Sockets.SelectMode.SelectRead); await Task.Delay(50))
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException("the host never answered the held request while its slot was taken");
        }

        private async Task SendHeadAsync()
        {
            await tcp.ConnectAsync(baseUrl.Host, baseUrl.Port);
            var head = $"POST /api/classify HTTP/1.1\r\nHost: {baseUrl.Authority}\r\nx-functions-key: {key}\r\nContent-Type: application/octet-stream\r\nContent-Length: {bytes.Length}\r\n\r\n";
            await tcp.GetStream().WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
            await tcp.GetStream().WriteAsync(bytes.AsMemory(0, 1024));
            trickle = TrickleAsync(1024);
        }

        /// <summary>Sends the rest of the body; the answer's status line.</summary>
        public async Task<string> FinishAsync()
        {
            await stop.CancelAsync();
            var sent = await trickle;
            var stream = tcp.GetStream();
            await stream.WriteAsync(bytes.AsMemory(sent));
            using var reader = new StreamReader(stream, System.Text.Encoding.ASCII, leaveOpen: true);
            return await reader.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1)) ?? "";
        }

        public void Dispose()
        {
            stop.Cancel();
            tcp.Dispose();
        }

        private async Task<int> TrickleAsync(int sent)
        {
            var (stream, token) = (tcp.GetStream(), stop.Token);
            try
            {
                // Never the last byte: the body stays incomplete until FinishAsync.
                while (!token.IsCancellationRequested && sent + 64 < bytes.Length)
                {
                    await stream.WriteAsync(bytes.AsMemory(sent, 64));
                    sent += 64;
                    await Task.Delay(100, CancellationToken.None);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The host answered and closed the connection: RestartIfAnsweredAsync sends the request again.
            }
            return sent;
        }
    }
}
