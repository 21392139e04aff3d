using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests;

/// <summary>
/// Node drains and losses: the api runs at least two pods spread over nodes and zones, and
/// PodDisruptionBudgets let voluntary disruptions take one api pod (never the last) and one worker
/// at a time, without a budget that could never be met and so blocks every drain.
/// </summary>
public sealed class AvailabilityTests
{
    public static TheoryData<string> Roots => new(["base", "overlays/onprem", "overlays/azure"]);

    [Theory]
    [MemberData(nameof(Roots))]
    public void The_api_keeps_a_pod_through_a_drain_and_spreads_over_nodes_and_zones(string root)
    {
        var render = Kubectl.Render(root);
        var api = render.Get("Deployment", "serverless-api");
        var replicas = (int)api.Body["spec"]!["replicas"]!;
        var podLabels = Manifest.StringMap(api.PodTemplate!["metadata"]!["labels"]);
        var budget = BudgetFor(render, podLabels);

        Assert.True(replicas >= 2, $"{api.Id} runs {replicas} pod(s): a drain would stop job submission");
        Assert.Equal(1, (int?)budget.Body["spec"]!["minAvailable"]);
        Assert.Equal("AlwaysAllow", (string?)budget.Body["spec"]!["unhealthyPodEvictionPolicy"]);

        var spread = Manifest.Items(api.PodSpec!["topologySpreadConstraints"]).ToList();
        foreach (var key in new[] { "kubernetes.io/hostname", "topology.kubernetes.io/zone" })
        {
            var constraint = Assert.Single(spread, c => (string?)c["topologyKey"] == key);
            Assert.True(Selects(Manifest.StringMap(constraint["labelSelector"]!["matchLabels"]), podLabels), $"the {key} spread does not select the api's pods");
            Assert.Equal(1, (int?)constraint["maxSkew"]);
        }
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void Workers_are_disrupted_one_at_a_time(string root)
    {
        var render = Kubectl.Render(root);
        var worker = render.Get("Deployment", "serverless-worker");
        var budget = BudgetFor(render, Manifest.StringMap(worker.PodTemplate!["metadata"]!["labels"]));

        // maxUnavailable, not minAvailable: KEDA takes the workers to zero, which a minimum would fight.
        Assert.Equal(1, (int?)budget.Body["spec"]!["maxUnavailable"]);
        Assert.Null(budget.Body["spec"]!["minAvailable"]);
    }

    private static Manifest BudgetFor(RenderedSet render, IReadOnlyDictionary<string, string> podLabels) =>
        Assert.Single(render.OfKind("PodDisruptionBudget"), b => Selects(Manifest.StringMap(b.Body["spec"]!["selector"]!["matchLabels"]), podLabels));

    private static bool Selects(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);
}
