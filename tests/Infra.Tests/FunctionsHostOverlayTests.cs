using Serverless.Infra.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests;

/// <summary>
/// The functions-host overlay: the Functions app split in two Deployments by the host's own
/// function filter (AzureFunctionsJobHost__functions__N), the HTTP one always on, the other scaled
/// by KEDA on the task hub's queues (the names DTFx creates for the app's host.json) and on the
/// drop prefixes the blob triggers read, with the host's keys from a mounted Secret.
/// </summary>
public sealed class FunctionsHostOverlayTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly string[] HttpFunctions = ["StartJob", "GetJob", "ListJobs", "TerminateJob", "PurgeJob", "Classify"];

    private static readonly string[] WorkerFunctions =
    [
        "BatchInferenceJob", "ClassifyPage",
        "CheckModel", "ListSourcePage", "ClassifyBatch", "RecordFailures", "RecordPage", "HealReadFailures", "MergeShard", "WriteResults",
        "BlobDrop", "JobFileDrop",
    ];

    private static readonly RenderedSet Render = Kubectl.Render("overlays/functions-host");

    public static TheoryData<string, string[]> Split => new()
    {
        { "functions-http", HttpFunctions },
        { "functions-worker", WorkerFunctions },
    };

    [Theory]
    [MemberData(nameof(Split))]
    public void Each_deployment_loads_exactly_its_functions(string deployment, string[] functions)
    {
        var env = Env(Render.Get("Deployment", deployment));
        // The host reads an array from consecutive indices: a gap would silently drop the rest.
        var listed = Enumerable.Range(0, env.Count).Select(i => env.GetValueOrDefault($"AzureFunctionsJobHost__functions__{i}")).TakeWhile(f => f is not null).ToList();

        Assert.Equal(functions, listed);
        Assert.Equal(listed.Count, env.Keys.Count(k => k.StartsWith("AzureFunctionsJobHost__functions__", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_two_deployments_split_the_app_without_overlap_and_only_http_serves_traffic()
    {
        Assert.Empty(HttpFunctions.Intersect(WorkerFunctions));
        var http = Render.Get("Deployment", "functions-http");
        Assert.True((int)http.Body["spec"]!["replicas"]! >= 2, "the HTTP functions must stay up (two pods)");
        Assert.Null(Render.Get("Deployment", "functions-worker").Body["spec"]!["replicas"]);
        var service = Assert.Single(Render.OfKind("Service"));
        Assert.Equal("http", Manifest.StringMap(service.Body["spec"]!["selector"]).GetValueOrDefault("app.kubernetes.io/component"));
        Assert.Equal(["functions-worker"], Render.OfKind("ScaledObject").Select(s => (string)s.Body["spec"]!["scaleTargetRef"]!["name"]!));
    }

    [Fact]
    public async Task The_worker_scales_on_the_hub_queues_dtfx_creates_for_the_apps_host_json()
    {
        // The Functions app's own host.json once functions/App exists; until then the root one, whose hub it must share.
        var appHostJson = Path.Combine(RepoPaths.Root, "functions", "App", "host.json");
        var settings = HostJsonSettings.Parse(File.ReadAllText(File.Exists(appHostJson) ? appHostJson : Path.Combine(RepoPaths.Root, "host.json")));
        var (workItems, controls) = await DtfxQueues.CreateAsync(azurite.ConnectionString, settings);
        var queues = Triggers("azure-queue").Select(t => ((string)t["metadata"]!["queueName"]!, int.Parse((string)t["metadata"]!["queueLength"]!))).ToList();

        Assert.Equal(
            new[] { (workItems, settings.MaxConcurrentActivityFunctions) }.Concat(controls.Select(c => (c, settings.MaxConcurrentOrchestratorFunctions))),
            queues);
        Assert.All(Triggers("azure-queue"), t => Assert.Equal("all", (string?)t["metadata"]!["queueLengthStrategy"]));
    }

    [Theory]
    [InlineData("DROPS_IMAGES_PATH")]
    [InlineData("DROPS_JOBS_PATH")]
    public void A_blob_scaler_watches_each_drop_path_the_blob_triggers_read(string setting)
    {
        var settings = RenderedSet.KeysOf(SettingsMap()).ToDictionary(k => k, k => (string)SettingsMap().Body["data"]![k]!);
        // "container/prefix/{name}": the blob trigger's path expression.
        var path = settings[setting];
        var container = path[..path.IndexOf('/')];
        var prefix = path[(container.Length + 1)..path.IndexOf("{name}", StringComparison.Ordinal)];

        Assert.Contains(Triggers("azure-blob"), t =>
            (string?)t["metadata"]!["blobContainerName"] == container && (string?)t["metadata"]!["blobPrefix"] == prefix);
    }

    [Fact]
    public void The_hosts_keys_come_from_a_mounted_secret_without_an_api_token()
    {
        foreach (var deployment in new[] { "functions-http", "functions-worker" })
        {
            var workload = Render.Get("Deployment", deployment);
            var settings = SettingsMap();
            Assert.Contains(Manifest.Items(workload.MainContainers.Single()["envFrom"]), e => (string?)e["configMapRef"]?["name"] == settings.Name);
            Assert.Equal("kubernetes", (string?)settings.Body["data"]!["AzureWebJobsSecretStorageType"]);
            // Files, not the API: no AzureWebJobsKubernetesSecretName, no token.
            Assert.DoesNotContain("AzureWebJobsKubernetesSecretName", RenderedSet.KeysOf(settings));
            Assert.True((bool?)workload.PodSpec!["automountServiceAccountToken"] == false);

            var mount = Assert.Single(Manifest.Items(workload.MainContainers.Single()["volumeMounts"]), m => (string?)m["mountPath"] == "/run/secrets/functions-keys");
            Assert.True((bool?)mount["readOnly"] == true);
            var volume = Manifest.Items(workload.PodSpec["volumes"]).Single(v => (string?)v["name"] == (string?)mount["name"]);
            var keys = RenderedSet.KeysOf(Render.Get("Secret", (string)volume["secret"]!["secretName"]!));
            Assert.Contains("host.master", keys);
            Assert.Contains("host.function.default", keys);
            Assert.Contains("host.systemKey.durabletask_extension", keys);
        }
    }

    [Fact]
    public void The_pods_run_the_functions_image_on_the_port_and_user_it_is_built_for()
    {
        var dockerfile = Dockerfile.LoadFunctions();
        var runtime = dockerfile.Stages[^1];
        var env = string.Join(' ', runtime.All("ENV").Select(e => e.Arguments));
        var port = int.Parse(runtime.Last("EXPOSE")!.Arguments);

        Assert.Contains($"ASPNETCORE_URLS=http://+:{port}", env);
        foreach (var deployment in new[] { "functions-http", "functions-worker" })
        {
            var workload = Render.Get("Deployment", deployment);
            var container = workload.MainContainers.Single();
            Assert.Equal(port, (int)Assert.Single(Manifest.Items(container["ports"]))["containerPort"]!);
            Assert.Equal(runtime.Last("USER")!.Arguments, workload.PodSpec!["securityContext"]!["runAsUser"]!.ToString());
            Assert.StartsWith("REGISTRY.azurecr.io/serverless-functions:", (string)container["image"]!);
        }
    }

    private static Manifest SettingsMap() =>
        Render.OfKind("ConfigMap").Single(c => KustomizeRenderTests.StripHash(c.Name) == "functions-settings");

    private static IEnumerable<System.Text.Json.Nodes.JsonObject> Triggers(string type) =>
        Manifest.Items(Render.Get("ScaledObject", "functions-worker").Body["spec"]!["triggers"]).Where(t => (string?)t["type"] == type);

    private static Dictionary<string, string?> Env(Manifest workload) =>
        Manifest.Items(workload.MainContainers.Single()["env"]).ToDictionary(e => (string)e["name"]!, e => (string?)e["value"]);
}
