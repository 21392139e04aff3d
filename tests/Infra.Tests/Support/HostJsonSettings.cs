using System.Text.Json.Nodes;

namespace Serverless.Infra.Tests.Support;

/// <summary>The host.json settings the Kubernetes manifests depend on.</summary>
public sealed record HostJsonSettings(
    string HubName,
    int PartitionCount,
    int MaxConcurrentActivityFunctions,
    int MaxConcurrentOrchestratorFunctions)
{
    /// <summary>Reads <c>extensions.durableTask</c> of a host.json text.</summary>
    public static HostJsonSettings Parse(string hostJson)
    {
        var durableTask = JsonNode.Parse(hostJson)?["extensions"]?["durableTask"]
            ?? throw new InvalidDataException("host.json has no extensions.durableTask section.");
        return new HostJsonSettings(
            HubName: Required<string>(durableTask, "hubName"),
            PartitionCount: Required<int>(durableTask["storageProvider"], "partitionCount"),
            MaxConcurrentActivityFunctions: Required<int>(durableTask, "maxConcurrentActivityFunctions"),
            MaxConcurrentOrchestratorFunctions: Required<int>(durableTask, "maxConcurrentOrchestratorFunctions"));
    }

    private static T Required<T>(JsonNode? section, string name) =>
        section?[name] is { } value
            ? value.GetValue<T>()
            : throw new InvalidDataException($"host.json lacks extensions.durableTask...{name}.");
}
