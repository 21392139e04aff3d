namespace Serverless.Drops;

/// <summary>Which dropped keys are images, by extension (the storage connections' list; none means every key).</summary>
internal sealed class ExtensionFilterView(IReadOnlyCollection<string>? extensions)
{
    private readonly HashSet<string>? accepted = extensions is { Count: > 0 } ? new(extensions, StringComparer.OrdinalIgnoreCase) : null;

    public bool Accepts(string key) => !key.EndsWith('/') && (accepted is null || accepted.Contains(Path.GetExtension(key)));
}
