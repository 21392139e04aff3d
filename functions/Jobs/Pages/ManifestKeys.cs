using Serverless.Storage;

namespace Serverless.Jobs.Pages;

/// <summary>
/// Reads a manifest's keys: a plain key from the manifest's own bucket, container or folder; a full
/// location (<c>s3://other-bucket/key</c>) from that bucket of the same store, through the same
/// checks and clients as every source of the job.
/// </summary>
public sealed class ManifestKeys(JobResources resources, string home) : IImageSource
{
    private readonly IImageSource own = resources.Source(home);

    /// <inheritdoc/>
    public SourceUri Location => own.Location;

    /// <inheritdoc/>
    public IAsyncEnumerable<SourcePage> ListPagesAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken = default) =>
        own.ListPagesAsync(continuationToken, pageSize, cancellationToken);

    /// <inheritdoc/>
    public Task<byte[]> ReadAllBytesAsync(string key, long maxBytes, CancellationToken cancellationToken = default)
    {
        var (source, inner) = Resolve(key);
        return source.ReadAllBytesAsync(inner, maxBytes, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var (source, inner) = Resolve(key);
        return source.OpenReadAsync(inner, cancellationToken);
    }

    private (IImageSource Source, string Key) Resolve(string key)
    {
        if (!key.Contains("://", StringComparison.Ordinal))
            return (own, key);
        var location = SourceUri.Parse(key);
        return (resources.Source(SourceUri.ObjectLocation(location.Kind, location.Container, "")), location.Prefix.TrimEnd('/'));
    }
}
