namespace Serverless.Storage;

/// <summary>
/// A place to write job outputs: an S3 prefix, a blob container prefix or a local folder.
/// Names are '/'-separated paths relative to the location. Writes overwrite, so writing the
/// same name twice (a retried batch) leaves one object. Thread-safe.
/// </summary>
public interface IResultStore
{
    /// <summary>Names one <see cref="DeleteAsync"/> takes at most (S3's DeleteObjects limit).</summary>
    const int DeleteBatch = 1000;

    /// <summary>The location outputs are written under.</summary>
    SourceUri Location { get; }

    /// <summary>Writes (or overwrites) <paramref name="name"/> with <paramref name="content"/>.</summary>
    Task WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes (or overwrites) <paramref name="name"/> with what <paramref name="writeContent"/>
    /// writes to the stream it is given. The content is spooled to a temporary file first, so
    /// memory stays bounded for any size and the upload can be retried; the object appears
    /// whole or not at all.
    /// </summary>
    Task WriteAsync(string name, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes (or overwrites) <paramref name="name"/> with the objects <paramref name="sources"/> joined in
    /// order, without a local copy: a multipart upload on S3 (parts of a few MiB streamed from the
    /// sources), blocks on Azure Blob (Put Block From URL, server-side, where the store allows it),
    /// an append on local disk. Memory holds one upload part at most, whatever the total size.
    /// </summary>
    Task ConcatenateAsync(string name, IReadOnlyList<string> sources, CancellationToken cancellationToken = default);

    /// <summary>Reads a whole object.</summary>
    Task<byte[]> ReadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads <paramref name="name"/> through <paramref name="read"/>, which is given the object as a stream and may stop
    /// before its end (a unit reads its page's manifest only up to its own lines); the open and the read are retried
    /// together, as <see cref="ReadAsync(string, CancellationToken)"/> is. <paramref name="read"/> should only read:
    /// what it throws is reported as a storage error of the object.
    /// </summary>
    Task<T> ReadAsync<T>(string name, Func<Stream, CancellationToken, Task<T>> read, CancellationToken cancellationToken = default);

    /// <summary>Opens an object for streaming reads.</summary>
    Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="name"/> exists.</summary>
    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes <paramref name="names"/> (at most <see cref="DeleteBatch"/>; a name already
    /// gone is no error, so a retried delete succeeds): one DeleteObjects request on S3, parallel
    /// deletes on Azure Blob, files and then their emptied folders on local disk.
    /// </summary>
    Task DeleteAsync(IReadOnlyList<string> names, CancellationToken cancellationToken = default);

    /// <summary>Streams the names that start with <paramref name="prefix"/> (object stores list in ordinal order, local folders depth-first by name).</summary>
    IAsyncEnumerable<string> ListAsync(string prefix = "", CancellationToken cancellationToken = default);
}
