using Serverless.Inference;
using Serverless.Storage;

namespace Serverless.Jobs.Classification;

/// <summary>Images read from a source for classification, never past the inference limit on encoded bytes.</summary>
public static class ImageReads
{
    /// <summary>An image read when its batch is prepared; one larger than <paramref name="maxBytes"/> is too_large, unread.</summary>
    /// <param name="missingIsNotFound">A manifest job's: an object its manifest names that is not there gets a <c>not_found</c> row.</param>
    public static ImageInput From(IImageSource source, string key, long maxBytes, long? size = null, bool missingIsNotFound = false) => new(key, async token =>
    {
        try
        {
            return await source.ReadAllBytesAsync(key, maxBytes, token).ConfigureAwait(false);
        }
        catch (StorageException e) when (missingIsNotFound && e.Kind == StorageErrorKind.ObjectNotFound)
        {
            throw new ImageRejectedException(NotFound, $"the manifest names '{key}', which is not there: {e.Message}");
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

    /// <summary>The code of a manifest's key whose object is missing.</summary>
    public const string NotFound = "not_found";

    /// <summary>The image's own error for an object over the limit, as the decoder would give it.</summary>
    public static ImageRejectedException TooLarge(StorageException e) => new(PredictionErrorCodes.TooLarge, e.Message);
}
