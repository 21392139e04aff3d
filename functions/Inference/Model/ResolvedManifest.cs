namespace Serverless.Inference;

/// <summary>A resolved manifest and, per field (named as in the manifest JSON), where its value came from.</summary>
/// <param name="Manifest">The values used.</param>
/// <param name="Sources">Field name to source: a manifest layer, "graph", or the preset.</param>
public sealed record ResolvedManifest(ModelManifest Manifest, IReadOnlyDictionary<string, string> Sources);
