using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests;

/// <summary>
/// Every name one object uses to reach another (Secrets, ConfigMaps, Services, Deployments)
/// resolves inside the same render, after kustomize's renames (hash suffixes).
/// </summary>
public sealed class ManifestReferenceTests
{
    public static TheoryData<string> Roots => new(Kubectl.Overlays);

    [Theory]
    [MemberData(nameof(Roots))]
    public void Secrets_and_config_maps_used_by_pods_exist_with_the_keys_used(string root)
    {
        var render = Kubectl.Render(root);
        var problems = new List<string>();

        foreach (var workload in render.Workloads)
        {
            foreach (var container in workload.Containers)
            {
                var where = $"{workload.Id} container {container["name"]}";
                foreach (var source in Manifest.Items(container["envFrom"]))
                {
                    Require(render, problems, where, "Secret", (string?)source["secretRef"]?["name"], key: null);
                    Require(render, problems, where, "ConfigMap", (string?)source["configMapRef"]?["name"], key: null);
                }

                foreach (var env in Manifest.Items(container["env"]))
                {
                    var secretRef = env["valueFrom"]?["secretKeyRef"];
                    Require(render, problems, where, "Secret", (string?)secretRef?["name"], (string?)secretRef?["key"]);
                    var configRef = env["valueFrom"]?["configMapKeyRef"];
                    Require(render, problems, where, "ConfigMap", (string?)configRef?["name"], (string?)configRef?["key"]);
                }

                // A subPath mount of a ConfigMap volume names one of its keys.
                foreach (var mount in Manifest.Items(container["volumeMounts"]))
                {
                    var volume = Manifest.Items(workload.PodSpec!["volumes"]).FirstOrDefault(v => (string?)v["name"] == (string?)mount["name"]);
                    if (volume is null && !IsClaimTemplate(workload, (string?)mount["name"]))
                    {
                        problems.Add($"{where} mounts volume {mount["name"]}, which the pod does not define");
                    }

                    if (volume?["configMap"] is { } configMap && (string?)mount["subPath"] is { } subPath)
                    {
                        Require(render, problems, where, "ConfigMap", (string?)configMap["name"], subPath);
                    }
                }
            }

            foreach (var volume in Manifest.Items(workload.PodSpec!["volumes"]))
            {
                Require(render, problems, $"{workload.Id} volume {volume["name"]}", "Secret", (string?)volume["secret"]?["secretName"], key: null);
                Require(render, problems, $"{workload.Id} volume {volume["name"]}", "ConfigMap", (string?)volume["configMap"]?["name"], key: null);
                Require(render, problems, $"{workload.Id} volume {volume["name"]}", "PersistentVolumeClaim", (string?)volume["persistentVolumeClaim"]?["claimName"], key: null);
            }

            // A ServiceAccount named by a pod exists in the render (the pod would not be created otherwise).
            if ((string?)workload.PodSpec!["serviceAccountName"] is { } account)
            {
                Require(render, problems, workload.Id, "ServiceAccount", account, key: null);
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void Keda_objects_reach_an_existing_deployment_and_secret(string root)
    {
        var render = Kubectl.Render(root);
        var scaledObjects = render.OfKind("ScaledObject").ToList();

        Assert.NotEmpty(scaledObjects);
        foreach (var scaledObject in scaledObjects)
        {
            var target = scaledObject.Body["spec"]!["scaleTargetRef"]!;
            Assert.Equal("Deployment", (string?)target["kind"] ?? "Deployment");
            Assert.NotNull(render.Find("Deployment", (string)target["name"]!));

            foreach (var trigger in Manifest.Items(scaledObject.Body["spec"]!["triggers"]))
            {
                var authName = (string?)trigger["authenticationRef"]?["name"];
                Assert.False(authName is null, $"trigger {trigger["name"]} of {scaledObject.Id} has no authenticationRef");
                var auth = render.Get("TriggerAuthentication", authName!);
                foreach (var secretTarget in Manifest.Items(auth.Body["spec"]!["secretTargetRef"]))
                {
                    var secret = render.Get("Secret", (string)secretTarget["name"]!);
                    Assert.Contains((string)secretTarget["key"]!, RenderedSet.KeysOf(secret));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void Every_service_selects_the_pods_of_a_workload_and_stateful_sets_name_a_service(string root)
    {
        var render = Kubectl.Render(root);

        foreach (var service in render.OfKind("Service"))
        {
            var selector = Manifest.StringMap(service.Body["spec"]!["selector"]);
            Assert.False(selector.Count == 0, $"{service.Id} has no selector");
            var selected = render.Workloads.Where(w => Selects(selector, Manifest.StringMap(w.PodTemplate!["metadata"]?["labels"]))).ToList();
            Assert.True(selected.Count > 0, $"{service.Id} selects no pods ({string.Join(",", selector)})");

            // Each target port is a port the selected containers declare (by name or number).
            foreach (var port in Manifest.Items(service.Body["spec"]!["ports"]))
            {
                var targetPort = port["targetPort"]?.ToString() ?? port["port"]!.ToString();
                Assert.True(
                    selected.Any(w => w.Containers.SelectMany(c => Manifest.Items(c["ports"]))
                        .Any(p => (string?)p["name"] == targetPort || p["containerPort"]!.ToString() == targetPort)),
                    $"{service.Id} port {port["name"]} targets {targetPort}, which no selected container declares");
            }
        }

        foreach (var statefulSet in render.OfKind("StatefulSet"))
        {
            Assert.NotNull(render.Find("Service", (string)statefulSet.Body["spec"]!["serviceName"]!));
        }
    }

    [Theory]
    [MemberData(nameof(Roots))]
    public void Deployment_selectors_match_their_own_pod_labels(string root)
    {
        var render = Kubectl.Render(root);

        foreach (var workload in render.Workloads.Where(w => w.Kind is "Deployment" or "StatefulSet"))
        {
            var selector = Manifest.StringMap(workload.Body["spec"]!["selector"]!["matchLabels"]);
            Assert.True(Selects(selector, Manifest.StringMap(workload.PodTemplate!["metadata"]?["labels"])), $"{workload.Id} selector does not match its pods");
        }
    }

    private static bool Selects(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);

    private static bool IsClaimTemplate(Manifest workload, string? volumeName) =>
        Manifest.Items(workload.Body["spec"]?["volumeClaimTemplates"]).Any(t => (string?)t["metadata"]?["name"] == volumeName);

    private static void Require(RenderedSet render, List<string> problems, string where, string kind, string? name, string? key)
    {
        if (name is null)
        {
            return;
        }

        var target = render.Find(kind, name);
        if (target is null)
        {
            problems.Add($"{where} uses {kind}/{name}, which is not in the render");
        }
        else if (key is not null && !RenderedSet.KeysOf(target).Contains(key))
        {
            problems.Add($"{where} uses key {key} of {kind}/{name}, which has only {string.Join(", ", RenderedSet.KeysOf(target))}");
        }
    }
}
