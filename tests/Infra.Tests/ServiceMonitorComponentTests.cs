using System.Text.Json.Nodes;
using Serverless.Infra.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests;

/// <summary>
/// The optional ServiceMonitor component (infra/k8s/components/servicemonitor), rendered over the
/// base with a generated keys Secret as an overlay would: Prometheus scrapes the api and worker
/// pods' /metrics with the function key as a bearer token, and the workers accept that key.
/// </summary>
public sealed class ServiceMonitorComponentTests
{
    [Fact]
    public void Prometheus_scrapes_the_api_and_worker_pods_with_the_function_key_the_pods_accept()
    {
        var render = RenderWithComponent();
        var secret = Assert.Single(render.OfKind("Secret")).Name;
        Assert.StartsWith("serverless-keys-", secret);

        var monitor = render.Get("ServiceMonitor", "serverless");
        Assert.Equal("monitoring.coreos.com/v1", monitor.ApiVersion);
        var endpoint = Assert.Single(Manifest.Items(monitor.Body["spec"]!["endpoints"]));
        Assert.Equal(("http", "/metrics", "Bearer"), ((string?)endpoint["port"], (string?)endpoint["path"], (string?)endpoint["authorization"]!["type"]));
        Assert.Equal((secret, "SERVERLESS_FUNCTION_KEY"), ((string?)endpoint["authorization"]!["credentials"]!["name"], (string?)endpoint["authorization"]!["credentials"]!["key"]));

        // The selector finds exactly the api Service and the workers' metrics Service.
        var selected = render.OfKind("Service").Where(s => Selects(monitor.Body["spec"]!["selector"]!.AsObject(), Manifest.StringMap(s.Body["metadata"]!["labels"]))).Select(s => s.Name);
        Assert.Equal(["serverless-api", "serverless-worker-metrics"], selected.Order());

        // Each scraped Service reaches its pods' container port named http, whose key is the one Prometheus sends.
        foreach (var (service, deployment) in new[] { ("serverless-api", "serverless-api"), ("serverless-worker-metrics", "serverless-worker") })
        {
            var spec = render.Get("Service", service).Body["spec"]!;
            var workload = render.Get("Deployment", deployment);
            Assert.All(Manifest.StringMap(spec["selector"]), p => Assert.Equal(p.Value, Manifest.StringMap(workload.PodTemplate!["metadata"]!["labels"])[p.Key]));
            var port = Manifest.Items(spec["ports"]).Single(p => (string?)p["name"] == "http");
            var container = workload.Containers.Single();
            Assert.Contains(Manifest.Items(container["ports"]), p => (string?)p["name"] == (string?)port["targetPort"]);
            var key = Manifest.Items(container["env"]).Single(e => (string?)e["name"] == "SERVERLESS_FUNCTION_KEY");
            Assert.Equal((secret, "SERVERLESS_FUNCTION_KEY"), ((string?)key["valueFrom"]!["secretKeyRef"]!["name"], (string?)key["valueFrom"]!["secretKeyRef"]!["key"]));
        }
    }

    private static RenderedSet RenderWithComponent()
    {
        using var folder = new TempDir("servicemonitor");
        string Relative(string path) => Path.GetRelativePath(folder.Path, Path.Combine(RepoPaths.Root, "infra", "k8s", path));
        File.WriteAllText(Path.Combine(folder.Path, "kustomization.yaml"), $"""
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            namespace: serverless
            resources:
              - {Relative("base")}
            components:
              - {Relative("components/servicemonitor")}
            secretGenerator:
              - name: serverless-keys
                literals:
                  - SERVERLESS_MASTER_KEY=master
                  - SERVERLESS_FUNCTION_KEY=function
            """);
        var result = ProcessRunner.Run(Kubectl.Path, ["kustomize", folder.Path], RepoPaths.Root, TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, result.Describe());
        return RenderedSet.Parse(result.StandardOutput);
    }

    private static bool Selects(JsonObject selector, IReadOnlyDictionary<string, string> labels) =>
        Manifest.StringMap(selector["matchLabels"]).All(p => labels.TryGetValue(p.Key, out var v) && v == p.Value)
        && Manifest.Items(selector["matchExpressions"]).All(e => (string?)e["operator"] == "In"
            && labels.TryGetValue((string)e["key"]!, out var value) && e["values"]!.AsArray().Any(v => (string?)v == value));
}
