using System.Text.Json.Nodes;

namespace Serverless.Infra.Tests.Support;

/// <summary>One rendered Kubernetes object.</summary>
public sealed record Manifest(string ApiVersion, string Kind, string Name, string? Namespace, JsonObject Body)
{
    /// <summary>A short identity for messages: <c>Kind/name</c>.</summary>
    public string Id => $"{Kind}/{Name}";

    /// <summary>The pod template of a workload (Deployment, StatefulSet, Job), or null.</summary>
    public JsonObject? PodTemplate => Kind switch
    {
        "Deployment" or "StatefulSet" or "DaemonSet" or "Job" => Body["spec"]?["template"]?.AsObject(),
        "CronJob" => Body["spec"]?["jobTemplate"]?["spec"]?["template"]?.AsObject(),
        "Pod" => Body,
        _ => null,
    };

    /// <summary>The pod spec of a workload, or null.</summary>
    public JsonObject? PodSpec => PodTemplate?["spec"]?.AsObject();

    /// <summary>Containers and init containers of a workload's pod spec.</summary>
    public IEnumerable<JsonObject> Containers =>
        PodSpec is { } spec
            ? Items(spec["initContainers"]).Concat(Items(spec["containers"]))
            : [];

    /// <summary>The containers of a workload's pod spec, without its init containers.</summary>
    public IEnumerable<JsonObject> MainContainers => PodSpec is { } spec ? Items(spec["containers"]) : [];

    /// <summary>The objects of a JSON array, or nothing when it is absent.</summary>
    public static IEnumerable<JsonObject> Items(JsonNode? array) =>
        array is JsonArray items ? items.Select(i => i!.AsObject()) : [];

    /// <summary>A string-valued map (labels, selectors, ConfigMap data), empty when absent.</summary>
    public static IReadOnlyDictionary<string, string> StringMap(JsonNode? map) =>
        map is JsonObject obj
            ? obj.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty)
            : new Dictionary<string, string>();
}
