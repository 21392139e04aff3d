using System.Text.Json.Nodes;
using Json.Schema;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests.Support;

/// <summary>
/// The JSON schemas under tests/Infra.Tests/Schemas (kubernetes.json, keda.json), checked with
/// JsonSchema.Net. Each kind's definition pins its apiVersion and kind, which is how a rendered
/// object finds its schema; an object of a kind neither file describes is an error too.
/// </summary>
public sealed class ManifestSchemas
{
    private static readonly Lazy<ManifestSchemas> Shared = new(Load);
    private readonly EvaluationOptions options;
    private readonly Dictionary<(string ApiVersion, string Kind), JsonSchema> byKind;

    private ManifestSchemas(EvaluationOptions options, Dictionary<(string, string), JsonSchema> byKind)
    {
        this.options = options;
        this.byKind = byKind;
    }

    /// <summary>The folder of the committed schemas.</summary>
    public static string Folder => Path.Combine(RepoPaths.Root, "tests", "Infra.Tests", "Schemas");

    public static ManifestSchemas Instance => Shared.Value;

    /// <summary>The apiVersion and kind pairs the schemas describe.</summary>
    public IEnumerable<(string ApiVersion, string Kind)> Kinds => byKind.Keys;

    /// <summary>What is wrong with <paramref name="manifest"/>, one line per problem; empty when it is valid.</summary>
    public IReadOnlyList<string> Validate(Manifest manifest) => Validate(manifest.ApiVersion, manifest.Kind, manifest.Body, manifest.Id);

    public IReadOnlyList<string> Validate(string apiVersion, string kind, JsonNode body, string id)
    {
        if (!byKind.TryGetValue((apiVersion, kind), out var schema))
        {
            return [$"{id}: no schema describes {apiVersion} {kind} (tests/Infra.Tests/Schemas)"];
        }

        var result = schema.Evaluate(body, options);
        if (result.IsValid)
        {
            return [];
        }

        return (result.Details ?? [])
            .Where(d => d.HasErrors)
            .SelectMany(d => d.Errors!.Select(e => $"{id}: {d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"))
            .Distinct()
            .ToList();
    }

    private static ManifestSchemas Load()
    {
        var options = new EvaluationOptions { OutputFormat = OutputFormat.List };
        var byKind = new Dictionary<(string, string), JsonSchema>();
        foreach (var file in new[] { "kubernetes.json", "keda.json" })
        {
            var text = File.ReadAllText(Path.Combine(Folder, file));
            var schema = JsonSchema.FromText(text);
            options.SchemaRegistry.Register(schema);
            var id = JsonNode.Parse(text)!["$id"]!.GetValue<string>();
            foreach (var (name, definition) in JsonNode.Parse(text)!["definitions"]!.AsObject())
            {
                var properties = definition?["properties"];
                if (properties?["apiVersion"]?["const"] is JsonValue apiVersion && properties["kind"]?["const"] is JsonValue kind)
                {
                    byKind[(apiVersion.GetValue<string>(), kind.GetValue<string>())] =
                        new JsonSchemaBuilder().Ref(new Uri($"{id}#/definitions/{name}")).Build();
                }
            }
        }

        return new ManifestSchemas(options, byKind);
    }
}
