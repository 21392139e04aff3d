namespace Serverless.Storage;

/// <summary>
/// One page of a source listing: the image keys it holds (after the extension filter, so it
/// may be shorter than the page size, even empty) and the token that lists the next page
/// (null after the last page). An orchestrator keeps only the token between activities.
/// </summary>
/// <param name="Keys">Image keys, in listing order. Pass them to <see cref="IImageSource.ReadAllBytesAsync"/>.</param>
/// <param name="NextToken">Continuation token of the next page; null when this page is the last.</param>
/// <param name="Skipped">Keys on this page left out by the extension filter.</param>
public sealed record SourcePage(IReadOnlyList<string> Keys, string? NextToken, int Skipped)
{
    /// <summary>
    /// What the store said of each key, parallel to <see cref="Keys"/> (size and ETag), where its
    /// listing gives them (S3, Blob); null for local folders.
    /// </summary>
    public IReadOnlyList<SourceObject>? Objects { get; init; }

    /// <summary>Whether this is the last page.</summary>
    public bool IsLast => NextToken is null;
}

/// <summary>A listed object: its key, and its size, ETag and last-modified time where the listing gave them.</summary>
public sealed record SourceObject(string Key, long? Size, string? ETag, DateTimeOffset? LastModified = null)
{
    /// <summary>A manifest row's other columns (each value as JSON text), carried through to the image's output row; null for listed objects.</summary>
    public IReadOnlyDictionary<string, string>? Columns { get; init; }
}
