using System.Text.Json.Nodes;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests;

/// <summary>
/// Every rendered object is valid against the committed Kubernetes and KEDA schemas
/// (tests/Infra.Tests/Schemas), and those schemas reject what a cluster or KEDA would reject or
/// silently ignore: misspelt fields, numbers where KEDA wants strings, kinds nobody described.
/// </summary>
public sealed class SchemaValidationTests
{
    public static TheoryData<string> Roots => new(["base", .. Kubectl.Overlays]);

    [Theory]
    [MemberData(nameof(Roots))]
    public void Every_rendered_object_is_valid_against_its_schema(string root)
    {
        var render = Kubectl.Render(root);
        var problems = render.All.SelectMany(ManifestSchemas.Instance.Validate).ToList();

        Assert.NotEmpty(render.All);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_committed_kubernetes_schema_is_what_the_client_models_generate()
    {
        var path = Path.Combine(ManifestSchemas.Folder, "kubernetes.json");
        var generated = KubernetesSchemaGenerator.Generate();
        if (Environment.GetEnvironmentVariable("UPDATE_SCHEMAS") == "1")
        {
            File.WriteAllText(path, generated);
        }

        Assert.True(File.ReadAllText(path) == generated,
            "tests/Infra.Tests/Schemas/kubernetes.json is not what KubernetesSchemaGenerator writes: "
            + "run UPDATE_SCHEMAS=1 dotnet test tests/Infra.Tests --filter The_committed_kubernetes_schema and commit it.");
    }

    [Theory]
    // Misspelt fields: KEDA and the API server would drop them without a word.
    [InlineData("overlays/onprem", "ScaledObject", "serverless-worker", "spec/cooldownPeriod", "coolDownPeriod")]
    [InlineData("overlays/onprem", "ScaledObject", "serverless-worker", "spec/advanced/horizontalPodAutoscalerConfig", "horizontalPodAutoScalerConfig")]
    [InlineData("overlays/onprem", "ScaledObject", "serverless-worker", "spec/triggers/0/metadata/queueLength", "queueLenght")]
    [InlineData("overlays/onprem", "Deployment", "serverless-worker", "spec/template/spec/terminationGracePeriodSeconds", "terminationGracePeriod")]
    [InlineData("overlays/onprem", "Deployment", "serverless-api", "spec/template/spec/containers/0/readinessProbe", "readynessProbe")]
    [InlineData("overlays/onprem", "Deployment", "serverless-api", "spec/template/spec/containers/0/lifecycle/preStop", "prestop")]
    [InlineData("overlays/onprem", "PodDisruptionBudget", "serverless-api", "spec/minAvailable", "minAvailible")]
    [InlineData("overlays/onprem", "NetworkPolicy", "azurite", "spec/ingress", "ingres")]
    public void A_misspelt_field_fails_validation(string root, string kind, string name, string path, string misspelling)
    {
        var manifest = Kubectl.Render(root).Get(kind, name);
        Assert.Empty(ManifestSchemas.Instance.Validate(manifest));

        var body = manifest.Body.DeepClone().AsObject();
        var segments = path.Split('/');
        var parent = segments[..^1].Aggregate((JsonNode)body, (node, segment) =>
            node is JsonArray array ? array[int.Parse(segment)]! : node[segment] ?? throw new Xunit.Sdk.XunitException($"{manifest.Id} has no {path}"));
        var value = parent[segments[^1]] ?? throw new Xunit.Sdk.XunitException($"{manifest.Id} has no {path}");
        parent.AsObject().Remove(segments[^1]);
        parent.AsObject()[misspelling] = value.DeepClone();

        var problems = ManifestSchemas.Instance.Validate(manifest.ApiVersion, manifest.Kind, body, manifest.Id);
        Assert.Contains(problems, p => p.Contains(misspelling, StringComparison.Ordinal));
    }

    [Fact]
    public void A_keda_count_written_as_a_yaml_number_fails_validation()
    {
        var manifest = Kubectl.Render("overlays/onprem").Get("ScaledObject", "serverless-worker");
        var body = manifest.Body.DeepClone().AsObject();
        body["spec"]!["triggers"]![0]!["metadata"]!["queueLength"] = 2;

        Assert.NotEmpty(ManifestSchemas.Instance.Validate(manifest.ApiVersion, manifest.Kind, body, manifest.Id));
    }

    [Fact]
    public void A_kind_without_a_schema_fails_validation()
    {
        var body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = new JsonObject { ["name"] = "x" } };

        Assert.NotEmpty(ManifestSchemas.Instance.Validate("v1", "Pod", body, "Pod/x"));
    }
}
