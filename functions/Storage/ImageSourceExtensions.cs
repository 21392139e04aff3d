namespace Serverless.Storage;

/// <summary>Conveniences over <see cref="IImageSource"/>.</summary>
public static class ImageSourceExtensions
{
    /// <summary>
    /// Lists exactly one page (what a listing activity does: one page per call, the token
    /// carried by the orchestrator).
    /// </summary>
    public static async Task<SourcePage> ListPageAsync(
        this IImageSource source, string? continuationToken, int pageSize, CancellationToken cancellationToken = default)
    {
        await foreach (var page in source.ListPagesAsync(continuationToken, pageSize, cancellationToken).ConfigureAwait(false))
        {
            return page;
        }

        return new SourcePage([], null, 0);
    }

    /// <summary>Streams every image key, page by page.</summary>
    public static async IAsyncEnumerable<string> ListKeysAsync(
        this IImageSource source,
        int pageSize = 1000,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in source.ListPagesAsync(null, pageSize, cancellationToken).ConfigureAwait(false))
        {
            foreach (var key in page.Keys)
            {
                yield return key;
            }
        }
    }
}
