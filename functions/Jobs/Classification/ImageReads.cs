using Serverless.Inference;
using Serverless.Storage;

namespace Serverless.Jobs.Classification;

/// <summary>Images read from a source for classification, never past the inference limit on encoded bytes.</summary>
public static class ImageReads
{
    /// <summary>An image read when its batch is prepared; one larger than <paramref name="maxBytes"/> is too_large, unread.</summary>
    public static ImageInput From(IImageSource source, string key, long maxBytes, long? size = null) => new(key, async token =>
    {
        try
        {
            return await source.ReadAllBytesAsync(key, maxBytes, token).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.TooLarge)
        {
            throw TooLarge(e);
        }
    })
    {
        // The listing's size, when it gave one: the read-ahead budget reserves it before the read.
        Size = size is { } s ? Math.Min(s, maxBytes) : null,
    };

    /// <summary>The image's own error for an object over the limit, as the decoder would give it.</summary>
    public static ImageRejectedException TooLarge(StorageException e) => new(PredictionErrorCodes.TooLarge, e.Message);
}
