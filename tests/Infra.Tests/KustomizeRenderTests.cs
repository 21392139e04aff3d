using Serverless.Infra.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests;

/// <summary>Every kustomize root renders, to the objects its environment needs.</summary>
public sealed class KustomizeRenderTests
{
    private static readonly Dictionary<string, string> ApiVersions = new()
    {
        ["Namespace"] = "v1",
        ["ConfigMap"] = "v1",
        ["Secret"] = "v1",
        ["Service"] = "v1",
        ["Deployment"] = "apps/v1",
        ["StatefulSet"] = "apps/v1",
        ["Job"] = "batch/v1",
        ["ScaledObject"] = "keda.sh/v1alpha1",
        ["TriggerAuthentication"] = "keda.sh/v1alpha1",
        ["ServiceAccount"] = "v1",
        ["PersistentVolumeClaim"] = "v1",
        ["PersistentVolume"] = "v1",
        ["PodDisruptionBudget"] = "policy/v1",
        ["NetworkPolicy"] = "networking.k8s.io/v1",
    };

    private static readonly string[] App =
    [
        "ConfigMap/serverless-host-config", "Deployment/serverless-api", "Deployment/serverless-worker", "Service/serverless-api",
        "ServiceAccount/serverless-api", "ServiceAccount/serverless-worker",
        "PodDisruptionBudget/serverless-api", "PodDisruptionBudget/serverless-worker",
    ];

    public static TheoryData<string, string[]> ExpectedObjects => new()
    {
        { "base", App },
        {
            "overlays/onprem",
            [
                .. App, "Namespace/serverless", "Secret/serverless-storage", "Secret/serverless-keys",
                "ScaledObject/serverless-worker", "TriggerAuthentication/serverless-storage",
                "StatefulSet/azurite", "Service/azurite", "StatefulSet/minio", "Service/minio", "Job/minio-buckets",
                "ServiceAccount/azurite", "ServiceAccount/minio", "ServiceAccount/minio-buckets",
                "NetworkPolicy/azurite", "NetworkPolicy/minio", "NetworkPolicy/app-api", "NetworkPolicy/app-workers",
            ]
        },
        {
            "overlays/onprem-nfs",
            [
                .. App, "Namespace/serverless", "Secret/serverless-storage", "Secret/serverless-keys",
                "ScaledObject/serverless-worker", "TriggerAuthentication/serverless-storage",
                "StatefulSet/azurite", "Service/azurite", "StatefulSet/minio", "Service/minio", "Job/minio-buckets",
                "ServiceAccount/azurite", "ServiceAccount/minio", "ServiceAccount/minio-buckets",
                "NetworkPolicy/azurite", "NetworkPolicy/minio", "NetworkPolicy/app-api", "NetworkPolicy/app-workers",
                "PersistentVolumeClaim/serverless-models", "PersistentVolume/serverless-models-nfs",
            ]
        },
        {
            "overlays/azure",
            [
                .. App, "Namespace/serverless", "Secret/serverless-storage", "Secret/serverless-keys",
                "ScaledObject/serverless-worker", "TriggerAuthentication/serverless-storage",
                "PersistentVolumeClaim/serverless-models", "NetworkPolicy/app-api", "NetworkPolicy/app-workers",
            ]
        },
        {
            "overlays/functions-host",
            [
                "Namespace/serverless-functions", "ConfigMap/functions-settings", "Secret/functions-storage", "Secret/functions-keys",
                "Deployment/functions-http", "Service/functions-http", "Deployment/functions-worker",
                "ServiceAccount/functions-http", "ServiceAccount/functions-worker",
                "PodDisruptionBudget/functions-http", "PodDisruptionBudget/functions-worker",
                "ScaledObject/functions-worker", "TriggerAuthentication/functions-storage",
                "PersistentVolumeClaim/serverless-models", "NetworkPolicy/app-api", "NetworkPolicy/app-workers",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(ExpectedObjects))]
    public void Renders_exactly_the_objects_of_its_environment_with_known_api_versions(string root, string[] expected)
    {
        var render = Kubectl.Render(root);

        // Generated ConfigMaps and Secrets carry a content hash suffix: compare without it.
        var actual = render.All.Select(m => m.Kind is "ConfigMap" or "Secret" ? $"{m.Kind}/{StripHash(m.Name)}" : m.Id);
        Assert.Equal(expected.Order(), actual.Order());
        Assert.All(render.All, m => Assert.Equal(ApiVersions[m.Kind], m.ApiVersion));
    }

    [Theory]
    [InlineData("overlays/onprem")]
    [InlineData("overlays/azure")]
    public void Overlays_put_every_namespaced_object_in_the_serverless_namespace(string root)
    {
        var render = Kubectl.Render(root);

        Assert.All(render.All.Where(m => m.Kind != "Namespace"), m => Assert.Equal("serverless", m.Namespace));
    }

    [Fact]
    public void The_azure_overlay_runs_no_storage_of_its_own()
    {
        var render = Kubectl.Render("overlays/azure");

        Assert.Empty(render.OfKind("StatefulSet"));
        Assert.Equal(["serverless-api"], render.OfKind("Service").Select(s => s.Name));
    }

    [Fact]
    public void Renders_with_the_kubectl_install_kubectl_sh_pins()
    {
        // The tests fail, never skip, without it: CI must render what a user applies.
        Assert.True(File.Exists(Kubectl.Path), $"kubectl is not at {Kubectl.Path}: run local/install.sh");
        var version = ProcessRunner.Run(Kubectl.Path, ["version", "--client"], RepoPaths.Root, TimeSpan.FromSeconds(30));
        var pinned = System.Text.RegularExpressions.Regex.Match(
            File.ReadAllText(Path.Combine(RepoPaths.Local, "install-kubectl.sh")), "^version=(v[0-9.]+)$", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value;

        Assert.Contains($"Client Version: {pinned}", version.StandardOutput);
        Assert.Contains("Kustomize Version: v5.", version.StandardOutput);
    }

    [Fact]
    public void Kustomizations_use_no_deprecated_fields()
    {
        // Deprecated since kustomize v5: each has a replacement (resources, patches, labels).
        string[] deprecated = ["bases:", "patchesStrategicMerge:", "patchesJson6902:", "commonLabels:", "vars:"];
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Root, "infra", "k8s"), "kustomization.yaml", SearchOption.AllDirectories);

        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var topLevelKeys = File.ReadAllLines(file).Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0]) && !l.StartsWith('#'));
            Assert.DoesNotContain(topLevelKeys, line => deprecated.Any(line.StartsWith));
        }
    }

    /// <summary>Removes kustomize's <c>-&lt;10 characters&gt;</c> content hash suffix.</summary>
    internal static string StripHash(string name)
    {
        var dash = name.LastIndexOf('-');
        return dash > 0 && name.Length - dash - 1 == 10 ? name[..dash] : name;
    }
}
