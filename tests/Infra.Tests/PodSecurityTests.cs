using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests;

/// <summary>
/// Every container runs unprivileged on a read-only root file system with resource limits;
/// the app's containers carry health probes, their roles and a shutdown long enough for a batch.
/// </summary>
public sealed class PodSecurityTests
{
    public static TheoryData<string> Roots => new(["base", .. Kubectl.Overlays]);

    [Theory]
    [MemberData(nameof(Roots))]
    public void Every_container_is_non_root_read_only_unprivileged_and_limited(string root)
    {
        var render = Kubectl.Render(root);
        var problems = new List<string>();

        foreach (var workload in render.Workloads)
        {
            var podSecurity = workload.PodSpec!["securityContext"];
            foreach (var container in workload.Containers)
            {
                var where = $"{workload.Id} container {container["name"]}";
                var security = container["securityContext"];
                // The container's setting wins over the pod's, as in the kubelet.
                var runAsNonRoot = (bool?)security?["runAsNonRoot"] ?? (bool?)podSecurity?["runAsNonRoot"];
                var runAsUser = (long?)security?["runAsUser"] ?? (long?)podSecurity?["runAsUser"];
                Check(problems, runAsNonRoot == true, $"{where}: runAsNonRoot is not true");
                Check(problems, runAsUser is > 0, $"{where}: runAsUser is {runAsUser?.ToString() ?? "unset"}, not a non-zero UID");
                Check(problems, (bool?)security?["readOnlyRootFilesystem"] == true, $"{where}: root file system is writable");
                Check(problems, (bool?)security?["allowPrivilegeEscalation"] == false, $"{where}: privilege escalation is allowed");
                var limits = container["resources"]?["limits"];
                Check(problems, limits?["cpu"] is not null && limits?["memory"] is not null, $"{where}: no cpu and memory limits");
                var requests = container["resources"]?["requests"];
                Check(problems, requests?["cpu"] is not null && requests?["memory"] is not null, $"{where}: no cpu and memory requests");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void App_containers_run_their_role_with_healthz_probes_and_a_writable_tmp(string root)
    {
        var render = Kubectl.Render(root);

        foreach (var role in new[] { "api", "worker" })
        {
            var deployment = render.Get("Deployment", $"serverless-{role}");
            var container = Assert.Single(deployment.Containers);
            var args = container["args"]!.AsArray().Select(a => (string)a!).ToList();
            // The host listens on 127.0.0.1 unless told otherwise: a pod must listen on all interfaces.
            Assert.Equal(["host", "--role", role, "--port", "7071", "--bind", "0.0.0.0"], args);
            Assert.Contains(Manifest.Items(container["ports"]), p => (int)p["containerPort"]! == 7071 && (string?)p["name"] == "http");

            foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
            {
                var httpGet = container[probe]?["httpGet"];
                Assert.True(httpGet is not null, $"{deployment.Id} has no HTTP {probe}");
                Assert.Equal("/healthz", (string?)httpGet!["path"]);
                Assert.Contains(httpGet["port"]!.ToString(), new[] { "http", "7071" });
            }

            // Read-only root: HOME and TMPDIR of the image point at /tmp, which must be writable.
            var tmp = Manifest.Items(container["volumeMounts"]).Single(m => (string?)m["mountPath"] == "/tmp");
            var volume = Manifest.Items(deployment.PodSpec!["volumes"]).Single(v => (string?)v["name"] == (string?)tmp["name"]);
            Assert.NotNull(volume["emptyDir"]);
            Assert.True((bool?)tmp["readOnly"] != true);
        }
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void Workers_get_time_to_finish_a_batch_and_the_host_stops_within_it(string root)
    {
        var worker = Kubectl.Render(root).Get("Deployment", "serverless-worker");
        var grace = (int?)worker.PodSpec!["terminationGracePeriodSeconds"] ?? 30;
        var env = Manifest.Items(worker.Containers.Single()["env"]).ToDictionary(e => (string)e["name"]!, e => (string?)e["value"]);

        Assert.InRange(grace, 60, 600);
        // The .NET host's own stop timeout must end before the kubelet's SIGKILL.
        Assert.True(env.TryGetValue("DOTNET_SHUTDOWNTIMEOUTSECONDS", out var hostTimeout), "no DOTNET_SHUTDOWNTIMEOUTSECONDS on the worker");
        Assert.InRange(int.Parse(hostTimeout!), 30, grace - 5);
    }

    [Fact]
    public void App_pods_run_as_the_images_user()
    {
        var render = Kubectl.Render("base");
        var dockerfileUser = Dockerfile.Load().Stage("runtime").Last("USER")!.Arguments;

        foreach (var role in new[] { "api", "worker" })
        {
            var podSecurity = render.Get("Deployment", $"serverless-{role}").PodSpec!["securityContext"];
            Assert.Equal(dockerfileUser, podSecurity?["runAsUser"]?.ToString());
        }
    }

    private static void Check(List<string> problems, bool ok, string problem)
    {
        if (!ok)
        {
            problems.Add(problem);
        }
    }
}
