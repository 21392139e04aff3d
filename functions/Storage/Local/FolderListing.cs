namespace Serverless.Storage.Local;

/// <summary>A folder's entries in ordinal order of their names (links to folders left out).</summary>
internal abstract class FolderListing
{
    /// <summary>An entry of a folder: its name, and whether it is a folder itself.</summary>
    internal readonly record struct Entry(string Name, bool IsFolder);

    /// <summary>The entries in order from the first whose name is not before <paramref name="name"/> (null: from the first).</summary>
    public abstract IEnumerable<Entry> From(string? name);
}
