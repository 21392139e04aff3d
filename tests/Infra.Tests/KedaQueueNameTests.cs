using System.Text;
using Serverless.Drops;
using Serverless.Drops.Watching;
using Serverless.Infra.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests;

/// <summary>
/// The queues KEDA watches are the queues the engine uses: DTFx creates a task hub on Azurite
/// from the host.json that the render ships to the pods, and its queues are listed.
/// </summary>
public sealed class KedaQueueNameTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    /// <summary>Drop notifications per pod: one micro-batch (a drop location's default batchSize).</summary>
    private static readonly int DropsQueueLength = new DropLocationOptions().BatchSize;

    public static TheoryData<string> Roots => new(Kubectl.SelfHostOverlays);

    [Theory]
    [MemberData(nameof(Roots))]
    public async Task Scaled_object_watches_the_work_item_queue_and_every_control_queue_of_the_shipped_host_json(string root)
    {
        var render = Kubectl.Render(root);
        var settings = HostJsonSettings.Parse(ShippedHostJson(render));
        var (workItems, controls) = await DtfxQueues.CreateAsync(azurite.ConnectionString, settings);
        var triggers = Manifest.Items(render.Get("ScaledObject", "serverless-worker").Body["spec"]!["triggers"]).ToList();

        // The drop notification queue is the host's, not DTFx's: the name the host itself derives.
        var expected = new[] { (Queue: workItems, Length: settings.MaxConcurrentActivityFunctions) }
            .Concat(controls.Select(q => (Queue: q, Length: settings.MaxConcurrentOrchestratorFunctions)))
            .Append((Queue: DropNotificationQueue.DefaultName(settings.HubName), Length: DropsQueueLength))
            .ToList();
        var actual = triggers.Select(t => (Queue: (string)t["metadata"]!["queueName"]!, Length: int.Parse((string)t["metadata"]!["queueLength"]!))).ToList();

        Assert.True(
            expected.SequenceEqual(actual),
            $"The KEDA triggers drifted from host.json ({settings}). Replace the triggers in "
            + $"infra/k8s/components/keda/scaledobject.yaml with:\n{TriggersYaml(expected)}");
        Assert.All(triggers, t =>
        {
            Assert.Equal("azure-queue", (string?)t["type"]);
            // KEDA reads every metadata value as a string; a YAML number would be rejected.
            Assert.Equal("0", (string?)t["metadata"]!["activationQueueLength"]);
            // Explicit, and "all": a worker's dequeued (invisible) batches are work in progress;
            // counting only visible ones would scale busy pods in.
            Assert.Equal("all", (string?)t["metadata"]!["queueLengthStrategy"]);
        });
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void Workers_scale_to_zero_and_the_api_stays_up(string root)
    {
        var render = Kubectl.Render(root);
        var spec = render.Get("ScaledObject", "serverless-worker").Body["spec"]!;

        Assert.Equal(0, (int)spec["minReplicaCount"]!);
        Assert.InRange((int)spec["maxReplicaCount"]!, 1, 100);
        // The HPA owns the worker's replica count; the api is never a scale target.
        Assert.Null(render.Get("Deployment", "serverless-worker").Body["spec"]!["replicas"]);
        Assert.DoesNotContain(render.OfKind("ScaledObject"), s => (string?)s.Body["spec"]!["scaleTargetRef"]!["name"] == "serverless-api");
        Assert.True((int)render.Get("Deployment", "serverless-api").Body["spec"]!["replicas"]! >= 1);
    }

    [Fact]
    public void Kustomize_copy_of_host_json_equals_the_repository_host_json()
    {
        var original = File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json"));
        var copy = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "k8s", "base", "host.json"));

        Assert.True(original == copy, "infra/k8s/base/host.json differs from host.json: run infra/k8s/sync.sh");
    }

    private static string ShippedHostJson(RenderedSet render)
    {
        var configMap = render.OfKind("ConfigMap").Single(c => KustomizeRenderTests.StripHash(c.Name) == "serverless-host-config");
        return (string?)configMap.Body["data"]?["host.json"] ?? throw new Xunit.Sdk.XunitException("The ConfigMap has no host.json key.");
    }

    private static string TriggersYaml(IEnumerable<(string Queue, int Length)> triggers)
    {
        var yaml = new StringBuilder("  triggers:\n");
        foreach (var (queue, length) in triggers)
        {
            yaml.Append($"    - type: azure-queue\n      name: {queue[(queue.IndexOf('-') + 1)..]}\n      metadata:\n")
                .Append($"        queueName: {queue}\n        queueLength: \"{length}\"\n        queueLengthStrategy: all\n        activationQueueLength: \"0\"\n")
                .Append("      authenticationRef:\n        name: serverless-storage\n");
        }

        return yaml.ToString();
    }
}
