using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests;

/// <summary>
/// Every container runs unprivileged on a read-only root file system with resource limits;
/// the app's containers carry health probes and their roles (the shutdown budget: <see cref="ShutdownBudgetTests"/>).
/// </summary>
public sealed class PodSecurityTests
{
    public static TheoryData<string> Roots => new(["base", .. Kubectl.Overlays]);

    public static TheoryData<string> Overlays => new(Kubectl.Overlays);

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

    public static TheoryData<string> SelfHostRoots => new(["base", .. Kubectl.SelfHostOverlays]);

    [Theory]
    [MemberData(nameof(SelfHostRoots))]
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

    /// <summary>The volume types the restricted Pod Security level admits.</summary>
    private static readonly string[] RestrictedVolumeTypes =
        ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    [Theory]
    [MemberData(nameof(Roots))]
    public void Every_pod_passes_the_restricted_pod_security_level(string root)
    {
        var problems = new List<string>();
        foreach (var workload in Kubectl.Render(root).Workloads)
        {
            var pod = workload.PodSpec!;
            var podSeccomp = (string?)pod["securityContext"]?["seccompProfile"]?["type"];
            foreach (var container in workload.Containers)
            {
                var where = $"{workload.Id} container {container["name"]}";
                var seccomp = (string?)container["securityContext"]?["seccompProfile"]?["type"] ?? podSeccomp;
                Check(problems, seccomp is "RuntimeDefault" or "Localhost", $"{where}: seccompProfile is {seccomp ?? "unset"}");
                var dropped = container["securityContext"]?["capabilities"]?["drop"]?.AsArray().Select(c => (string?)c) ?? [];
                Check(problems, dropped.Contains("ALL"), $"{where}: does not drop ALL capabilities");
                Check(problems, container["securityContext"]?["capabilities"]?["add"] is null, $"{where}: adds capabilities");
            }

            foreach (var volume in Manifest.Items(pod["volumes"]))
            {
                var type = volume.Select(p => p.Key).Single(k => k != "name");
                Check(problems, RestrictedVolumeTypes.Contains(type), $"{workload.Id} volume {volume["name"]}: {type} is not allowed at the restricted level");
            }

            Check(problems, pod["hostNetwork"] is null && pod["hostPID"] is null && pod["hostIPC"] is null, $"{workload.Id}: uses a host namespace");
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_namespaces_enforce_the_restricted_level(string root)
    {
        var labels = Manifest.StringMap(Assert.Single(Kubectl.Render(root).OfKind("Namespace")).Body["metadata"]!["labels"]);

        foreach (var mode in new[] { "enforce", "audit", "warn" })
        {
            Assert.Equal("restricted", labels.GetValueOrDefault($"pod-security.kubernetes.io/{mode}"));
        }
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void Every_workload_runs_as_a_service_account_of_its_own_without_an_api_token(string root)
    {
        var render = Kubectl.Render(root);
        var accounts = render.Workloads.Select(w => (Workload: w, Account: (string?)w.PodSpec!["serviceAccountName"])).ToList();

        Assert.All(accounts, a => Assert.False(a.Account is null or "default", $"{a.Workload.Id} runs as the namespace's default service account"));
        Assert.Equal(accounts.Count, accounts.Select(a => a.Account).Distinct().Count());
        Assert.All(accounts, a =>
        {
            Assert.True((bool?)a.Workload.PodSpec!["automountServiceAccountToken"] == false, $"{a.Workload.Id} mounts an API token");
            Assert.True((bool?)render.Get("ServiceAccount", a.Account!).Body["automountServiceAccountToken"] == false, $"ServiceAccount/{a.Account} hands out API tokens");
        });
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
