using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Serverless.Infra.Tests.Support;

/// <summary>The objects a kustomize render produced, with lookups by kind and name.</summary>
public sealed class RenderedSet
{
    private RenderedSet(IReadOnlyList<Manifest> manifests) => All = manifests;

    public IReadOnlyList<Manifest> All { get; }

    public IEnumerable<Manifest> OfKind(string kind) => All.Where(m => m.Kind == kind);

    public Manifest? Find(string kind, string name) => All.SingleOrDefault(m => m.Kind == kind && m.Name == name);

    public Manifest Get(string kind, string name) =>
        Find(kind, name) ?? throw new Xunit.Sdk.XunitException(
            $"{kind}/{name} is not in the render; it has: {string.Join(", ", All.Select(m => m.Id))}");

    /// <summary>Workloads: the objects that carry a pod template.</summary>
    public IEnumerable<Manifest> Workloads => All.Where(m => m.PodTemplate is not null);

    /// <summary>Parses multi-document YAML as <c>kubectl kustomize</c> prints it.</summary>
    public static RenderedSet Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var manifests = new List<Manifest>();
        foreach (var document in stream.Documents)
        {
            if (YamlJson.Convert(document.RootNode) is not JsonObject body)
            {
                continue;
            }

            var metadata = body["metadata"]?.AsObject()
                ?? throw new InvalidDataException($"A rendered object has no metadata: {body.ToJsonString()}");
            manifests.Add(new Manifest(
                ApiVersion: (string?)body["apiVersion"] ?? throw new InvalidDataException($"No apiVersion: {body.ToJsonString()}"),
                Kind: (string?)body["kind"] ?? throw new InvalidDataException($"No kind: {body.ToJsonString()}"),
                Name: (string?)metadata["name"] ?? throw new InvalidDataException($"No metadata.name: {body.ToJsonString()}"),
                Namespace: (string?)metadata["namespace"],
                Body: body));
        }

        return new RenderedSet(manifests);
    }

    /// <summary>The keys of a Secret (data and stringData) or ConfigMap (data and binaryData).</summary>
    public static IReadOnlySet<string> KeysOf(Manifest secretOrConfigMap)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in new[] { "data", "stringData", "binaryData" })
        {
            if (secretOrConfigMap.Body[field] is JsonObject map)
            {
                keys.UnionWith(map.Select(p => p.Key));
            }
        }

        return keys;
    }

    /// <summary>A Secret's value, base64-decoded from data or taken from stringData.</summary>
    public static string? SecretValue(Manifest secret, string key)
    {
        if ((string?)secret.Body["stringData"]?[key] is { } plain)
        {
            return plain;
        }

        return (string?)secret.Body["data"]?[key] is { } encoded
            ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded))
            : null;
    }
}
