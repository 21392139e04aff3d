using System.Text.Json.Nodes;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests;

/// <summary>
/// The on-prem overlay's Azurite and MinIO (development credentials) answer only our pods: each
/// has an ingress policy whose peers select nothing but the app's pods (and MinIO's bucket Job),
/// plus KEDA's operator on Azurite's queue port alone; every rule names its ports, and MinIO's
/// console port is in none.
/// </summary>
public sealed class NetworkPolicyTests
{
    private static readonly RenderedSet Render = Kubectl.Render("overlays/onprem");

    [Theory]
    [InlineData("azurite", new[] { "serverless-api", "serverless-worker" }, new[] { "blob", "queue", "table" })]
    [InlineData("minio", new[] { "serverless-api", "serverless-worker", "minio-buckets" }, new[] { "s3" })]
    public void Storage_admits_only_our_pods_on_its_service_ports(string storage, string[] clients, string[] ports)
    {
        var workload = Render.Get("StatefulSet", storage);
        var policy = Assert.Single(Render.OfKind("NetworkPolicy"),
            p => Selects(p.Body["spec"]!["podSelector"], Manifest.StringMap(workload.PodTemplate!["metadata"]!["labels"])));
        Assert.Contains("Ingress", policy.Body["spec"]!["policyTypes"]!.AsArray().Select(t => (string?)t));

        var admitted = new Dictionary<string, HashSet<string>>();
        foreach (var rule in Manifest.Items(policy.Body["spec"]!["ingress"]))
        {
            var rulePorts = Manifest.Items(rule["ports"]).Select(p => p["port"]!.ToString()).ToList();
            Assert.False(rulePorts.Count == 0, $"{policy.Id} has a rule open on every port");
            foreach (var peer in Manifest.Items(rule["from"]))
            {
                if (peer["namespaceSelector"] is { } namespaces)
                {
                    // KEDA's operator reads queue lengths from its own namespace: the queue port only.
                    Assert.Equal("keda", Manifest.StringMap(namespaces["matchLabels"]).GetValueOrDefault("kubernetes.io/metadata.name"));
                    Assert.NotNull(peer["podSelector"]);
                    Assert.Equal(["queue"], rulePorts);
                    continue;
                }

                Assert.True(peer["ipBlock"] is null, $"{policy.Id} admits an IP block");
                var selected = Render.Workloads.Where(w => Selects(peer["podSelector"], Manifest.StringMap(w.PodTemplate!["metadata"]!["labels"]))).ToList();
                Assert.NotEmpty(selected);
                Assert.All(selected, w => Assert.Contains(w.Name, clients));
                foreach (var client in selected)
                    (admitted.TryGetValue(client.Name, out var set) ? set : admitted[client.Name] = []).UnionWith(rulePorts);
            }
        }

        foreach (var client in clients)
        {
            Assert.True(admitted.TryGetValue(client, out var reached) && ports.All(reached.Contains), $"{client} cannot reach {storage} on {string.Join(",", ports)}");
        }

        Assert.DoesNotContain(admitted.Values.SelectMany(p => p), p => p is "console" or "9001");
    }

    public static TheoryData<string> AllOverlays => new([.. Kubectl.Overlays]);

    [Theory]
    [MemberData(nameof(AllOverlays))]
    public void Workers_accept_nothing_but_metrics_scrapes_and_the_api_only_the_ingress(string root)
    {
        var render = Kubectl.Render(root);
        var pods = render.Workloads.Where(w => w.Kind == "Deployment").ToList();
        Assert.NotEmpty(pods);
        foreach (var pod in pods)
        {
            var labels = Manifest.StringMap(pod.PodTemplate!["metadata"]!["labels"]);
            var component = labels.GetValueOrDefault("app.kubernetes.io/component");
            var policies = render.OfKind("NetworkPolicy").Where(p => Selects(p.Body["spec"]!["podSelector"], labels)
                && p.Body["spec"]!["policyTypes"]!.AsArray().Any(t => (string?)t == "Ingress")).ToList();
            Assert.True(policies.Count > 0, $"{root}: no ingress policy selects {pod.Id}");

            foreach (var rule in policies.SelectMany(p => Manifest.Items(p.Body["spec"]!["ingress"])))
            {
                Assert.Equal(["http"], Manifest.Items(rule["ports"]).Select(p => p["port"]!.ToString()));
                foreach (var peer in Manifest.Items(rule["from"]))
                {
                    Assert.True(peer["ipBlock"] is null, $"{root}: {pod.Id} admits an IP block");
                    var scraper = Manifest.StringMap(peer["podSelector"]?["matchLabels"]).GetValueOrDefault("app.kubernetes.io/name") == "prometheus";
                    var ingress = peer["podSelector"] is null
                        && Manifest.StringMap(peer["namespaceSelector"]?["matchLabels"]).GetValueOrDefault("kubernetes.io/metadata.name") == "ingress-nginx";
                    Assert.True(scraper || (ingress && component is "api" or "http"), $"{root}: {pod.Id} ({component}) admits {peer.ToJsonString()}");
                }
            }
        }
    }

    /// <summary>A label selector (matchLabels and In expressions) against a pod's labels; an empty selector selects all.</summary>
    private static bool Selects(JsonNode? selector, IReadOnlyDictionary<string, string> labels) =>
        Manifest.StringMap(selector?["matchLabels"]).All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value)
        && Manifest.Items(selector?["matchExpressions"]).All(e =>
            (string?)e["operator"] == "In"
            && labels.TryGetValue((string)e["key"]!, out var value)
            && e["values"]!.AsArray().Any(v => (string?)v == value));
}
