using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests;

/// <summary>
/// The scheduler queues at most scheduling__slots work units; KEDA adds workers only while the
/// queue grows, so the api's slots must cover every worker KEDA may run (two units per activity slot).
/// </summary>
public sealed class SchedulerSlotsTests
{
    public static TheoryData<string> Roots => new(["overlays/onprem", "overlays/onprem-nfs", "overlays/azure"]);

    [Theory]
    [MemberData(nameof(Roots))]
    public void The_apis_scheduler_slots_cover_every_worker_keda_may_run(string root)
    {
        var render = Kubectl.Render(root);
        var maxReplicas = (int)render.Get("ScaledObject", "serverless-worker").Body["spec"]!["maxReplicaCount"]!;
        var hostJson = (string)render.OfKind("ConfigMap").Single(c => KustomizeRenderTests.StripHash(c.Name) == "serverless-host-config").Body["data"]!["host.json"]!;
        var perWorker = HostJsonSettings.Parse(hostJson).MaxConcurrentActivityFunctions;
        var env = Manifest.Items(render.Get("Deployment", "serverless-api").MainContainers.Single()["env"])
            .Where(e => (string?)e["name"] == "scheduling__slots").Select(e => (string?)e["value"]).ToList();

        var slots = Assert.Single(env);
        Assert.Equal(maxReplicas * perWorker * 2, int.Parse(slots!));
    }
}
