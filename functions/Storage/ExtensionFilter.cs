namespace Serverless.Storage;

/// <summary>Keeps keys whose extension is in a set (case-insensitive); an empty set keeps every key but folder markers.</summary>
internal sealed class ExtensionFilter
{
    private readonly HashSet<string>? extensions;

    public ExtensionFilter(IReadOnlyCollection<string>? extensions)
    {
        if (extensions is { Count: > 0 })
        {
            this.extensions = new HashSet<string>(
                extensions.Select(e => e.StartsWith('.') ? e : "." + e), StringComparer.OrdinalIgnoreCase);
        }
    }

    public bool Accepts(string key) =>
        !key.EndsWith('/') && (extensions is null || extensions.Contains(Path.GetExtension(key)));
}
