namespace Serverless.Storage;

/// <summary>
/// Images under one location (S3 prefix, blob container prefix, local folder). Listing is
/// paginated and streamed: a page is fetched only when the caller asks for it, so a million
/// keys never sit in memory. Keys are object keys (prefix included) for S3 and Blob, and
/// '/'-separated paths relative to the folder for local sources. Thread-safe.
/// </summary>
public interface IImageSource
{
    /// <summary>The location this source lists.</summary>
    SourceUri Location { get; }

    /// <summary>
    /// Lists pages of image keys, starting at <paramref name="continuationToken"/> (null: the
    /// beginning), each page from one listing request of at most <paramref name="pageSize"/> keys.
    /// </summary>
    IAsyncEnumerable<SourcePage> ListPagesAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads a whole object of at most <paramref name="maxBytes"/>; retried as a whole on transient
    /// errors. A larger one is a <see cref="StorageErrorKind.TooLarge"/> failure, told by its stated
    /// length before any of it is read, or at the limit when no length is stated: never read whole.
    /// </summary>
    Task<byte[]> ReadAllBytesAsync(string key, long maxBytes, CancellationToken cancellationToken = default);

    /// <summary>Opens an object for reading (opening is retried, reading the stream is not).</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default);
}
