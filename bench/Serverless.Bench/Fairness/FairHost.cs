using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.TestSupport;

namespace Serverless.Bench;

/// <summary>
/// One `serverless host --role all` child on its own task hub of a shared Azurite, with the
/// scheduler on (the host's default) or off (<c>scheduling__enabled=false</c>), and an HTTP
/// client holding the host's master key.
/// </summary>
internal sealed class FairHost : IAsyncDisposable
{
    private const string MasterKey = "bench-master-key";
    private readonly HostChild child;

    private FairHost(HostChild child, HttpClient http, string name, string hubName) => (this.child, Http, Name, HubName) = (child, http, name, hubName);

    /// <summary>The client: base address the host, master key in <c>x-functions-key</c>.</summary>
    public HttpClient Http { get; }

    /// <summary>What the diagnostics call it.</summary>
    public string Name { get; }

    /// <summary>Its task hub (<c>extensions__durableTask__hubName</c>): the prefix of the tables it writes, the attempt ledger among them.</summary>
    public string HubName { get; }

    /// <summary>The last lines the host wrote (for a failure's message).</summary>
    public string OutputTail => child.OutputTail;

    /// <summary>Starts the host and waits until it answers /healthz.</summary>
    /// <param name="scheduler">False: <c>scheduling__enabled=false</c>, jobs run unscheduled.</param>
    /// <param name="slots"><c>scheduling__slots</c>; null: the host's default.</param>
    /// <param name="imagesPerTask"><c>batchInference__imagesPerTask</c>; null: the host's default.</param>
    public static async Task<FairHost> StartAsync(AzuriteProcess azurite, string name, bool scheduler, int? slots, int? imagesPerTask)
    {
        var environment = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["extensions__durableTask__hubName"] = "fair" + Guid.NewGuid().ToString("N")[..8],
            ["jobs__localRoot"] = "/",
            ["models__root"] = "/",
            ["Logging__LogLevel__Default"] = "Warning",
            ["SERVERLESS_MASTER_KEY"] = MasterKey,
        };
        if (!scheduler)
            environment["scheduling__enabled"] = "false";
        if (slots is { } s)
            environment["scheduling__slots"] = s.ToString(CultureInfo.InvariantCulture);
        if (imagesPerTask is { } n)
            environment["batchInference__imagesPerTask"] = n.ToString(CultureInfo.InvariantCulture);

        var port = FreePort.Next();
        var child = HostChild.Start(["host", "--port", port.ToString(CultureInfo.InvariantCulture), "--role", "all"], environment);
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("x-functions-key", MasterKey);
        var host = new FairHost(child, http, name, environment["extensions__durableTask__hubName"]);
        try
        {
            await child.WaitHealthyAsync(http);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        Report.Log($"{name}: host {child.Pid} on port {port}, scheduler {(scheduler ? "on" : "off")}");
        return host;
    }

    /// <summary>
    /// Creates a tenant allowed to read under <paramref name="source"/> and write under
    /// <paramref name="output"/> (weight <paramref name="weight"/>) through the admin routes, and a
    /// submitter key of it; answers the key once the host accepts it.
    /// </summary>
    public async Task<string> AddTenantAsync(string tenant, string source, string output, int weight)
    {
        var body = new { allowSources = new[] { source.TrimEnd('/') + "/*" }, allowOutputs = new[] { output.TrimEnd('/') + "/*" }, weight };
        using (var put = await Http.PutAsJsonAsync($"api/tenants/{tenant}", body))
            await ExpectAsync(put, HttpStatusCode.OK, $"PUT api/tenants/{tenant}");
        using var created = await Http.PostAsJsonAsync("api/keys", new { tenant, role = "submitter" });
        await ExpectAsync(created, HttpStatusCode.Created, "POST api/keys");
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;

        // The key store is read again every few seconds: wait until this host knows the key.
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(250))
        {
            using var list = new HttpRequestMessage(HttpMethod.Get, "api/jobs");
            list.Headers.Add("x-serverless-key", key);
            using var answer = await Http.SendAsync(list);
            if (answer.IsSuccessStatusCode)
                return key;
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"{Name}: tenant {tenant}'s key is still refused: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>GET api/scheduler (who holds and who waits for unit slots), as text, for a stuck job's diagnostics.</summary>
    public async Task<string> SchedulerStateAsync()
    {
        try
        {
            using var answer = await Http.GetAsync("api/scheduler");
            return $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await child.DisposeAsync();
    }

    private async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode != expected)
            throw new InvalidOperationException($"{Name}: {what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
