using System.Text.Json.Nodes;
using Serverless.Host.Durable;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests;

/// <summary>
/// The pods' grace periods fit what their processes do on SIGTERM, with the values the render
/// ships: a worker drains its batches for host.json's shutdownDrainTimeout, then needs
/// <see cref="TaskHubOptions.StopAfterDrain"/> to hand the rest back and stop the engine (the
/// host's own stop deadline is that sum), and the kubelet must not SIGKILL it before; the api
/// sleeps in preStop while its endpoints leave the load balancers, then stops within its
/// DOTNET_SHUTDOWNTIMEOUTSECONDS.
/// </summary>
public sealed class ShutdownBudgetTests
{
    /// <summary>Seconds between the host's stop deadline and the kubelet's SIGKILL: the process exits, logs flush.</summary>
    private const int ExitMargin = 5;

    /// <summary>
    /// The longest batch the drain must let finish: 32 ResNet-50 images on the worker's one
    /// requested core take about 2 s of inference plus decoding (DESIGN: 33 ms an image at batch
    /// 32 on 2 cores); 10 s leaves room for large photos and a loaded node.
    /// </summary>
    private static readonly TimeSpan LongestBatch = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Roots => new(["base", "overlays/onprem", "overlays/azure"]);

    [Theory]
    [MemberData(nameof(Roots))]
    public void A_worker_drains_its_longest_batch_and_stops_before_the_kubelet_kills_it(string root)
    {
        var render = Kubectl.Render(root);
        var worker = render.Get("Deployment", "serverless-worker");
        var drain = ShippedDrainTimeout(render);
        var grace = GracePeriod(worker);
        var hostStop = drain + TaskHubOptions.StopAfterDrain;

        Assert.True(drain >= LongestBatch, $"shutdownDrainTimeout {drain} does not let a {LongestBatch} batch finish");
        Assert.True(grace >= hostStop.TotalSeconds + ExitMargin,
            $"{worker.Id}: terminationGracePeriodSeconds {grace} is under the drain ({drain}) + stop ({TaskHubOptions.StopAfterDrain}) + {ExitMargin} s");
        // Not much more either: a node drain waits for it, and a hung pod holds its batches that long.
        Assert.True(grace <= hostStop.TotalSeconds + 30, $"{worker.Id}: terminationGracePeriodSeconds {grace} is far above what the worker needs ({hostStop})");
        // The host sets its own stop deadline from host.json; an environment override here would be ignored and mislead.
        Assert.DoesNotContain(Env(worker), e => e.Key == "DOTNET_SHUTDOWNTIMEOUTSECONDS");
        Assert.Null(worker.Containers.Single()["lifecycle"]?["preStop"]);
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void The_api_leaves_the_load_balancers_before_it_stops_and_stops_before_the_kubelet_kills_it(string root)
    {
        var api = Kubectl.Render(root).Get("Deployment", "serverless-api");
        var container = api.Containers.Single();
        var sleep = (int?)container["lifecycle"]?["preStop"]?["sleep"]?["seconds"];
        Assert.True(sleep is >= 3 and <= 15, $"{api.Id}: preStop sleep is {sleep?.ToString() ?? "missing"}; endpoints need a few seconds to leave the load balancers");
        Assert.True(Env(api).TryGetValue("DOTNET_SHUTDOWNTIMEOUTSECONDS", out var stop) && int.TryParse(stop, out _), $"{api.Id} sets no DOTNET_SHUTDOWNTIMEOUTSECONDS");

        // preStop runs inside the grace period, before SIGTERM.
        Assert.True(GracePeriod(api) >= sleep + int.Parse(stop!) + ExitMargin,
            $"{api.Id}: terminationGracePeriodSeconds {GracePeriod(api)} < preStop {sleep} + stop {stop} + {ExitMargin}");
    }

    private static TimeSpan ShippedDrainTimeout(RenderedSet render)
    {
        var configMap = render.OfKind("ConfigMap").Single(c => KustomizeRenderTests.StripHash(c.Name) == "serverless-host-config");
        var hostJson = JsonNode.Parse((string)configMap.Body["data"]!["host.json"]!)!;
        var value = (string?)hostJson["extensions"]?["durableTask"]?["shutdownDrainTimeout"];
        return value is null ? new TaskHubOptions().ShutdownDrainTimeout : TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int GracePeriod(Manifest workload) => (int?)workload.PodSpec!["terminationGracePeriodSeconds"] ?? 30;

    private static Dictionary<string, string?> Env(Manifest workload) =>
        Manifest.Items(workload.Containers.Single()["env"]).ToDictionary(e => (string)e["name"]!, e => (string?)e["value"]);
}
