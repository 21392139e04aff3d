namespace Serverless.Inference;

/// <summary>
/// One image to classify: a key (relative path or object key) and its bytes, given directly or
/// read on demand. A reader that throws gives that image a read_failed result (or the code of an
/// <see cref="ImageRejectedException"/> it throws); the batch goes on.
/// </summary>
public sealed class ImageInput
{
    private readonly ReadOnlyMemory<byte> bytes;
    private readonly Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>>>? reader;

    /// <summary>An image whose bytes are already in memory.</summary>
    public ImageInput(string key, ReadOnlyMemory<byte> bytes)
    {
        Key = key;
        this.bytes = bytes;
    }

    /// <summary>An image read when its batch is prepared (so only a batch or two sit in memory).</summary>
    public ImageInput(string key, Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>>> reader)
    {
        Key = key;
        this.reader = reader;
    }

    /// <summary>
    /// The encoded size when it is known before the read (a listing's size, a file's length): the
    /// read-ahead budget reserves it before reading. Unknown sizes are counted once read.
    /// </summary>
    public long? Size
    {
        get => size ?? sizeProbe?.Value;
        init => size = value;
    }

    private readonly long? size;
    private Lazy<long?>? sizeProbe;

    /// <summary>The key reported in the prediction.</summary>
    public string Key { get; }

    /// <summary>
    /// An image read from a local file; a file larger than <paramref name="maxBytes"/> is refused
    /// (too_large) before it is read.
    /// </summary>
    public static ImageInput FromFile(string key, string path, long? maxBytes = null) =>
        new(key, Reader(path, maxBytes)) { sizeProbe = new Lazy<long?>(() => SizeOf(path)) };

    private static long? SizeOf(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>>> Reader(string path, long? maxBytes) => async ct =>
    {
        var limit = maxBytes ?? InferenceOptions.Default.MaxEncodedBytes;
        var length = new FileInfo(path).Length;
        if (length > limit)
        {
            throw new ImageRejectedException(PredictionErrorCodes.TooLarge, $"{length} bytes exceed the limit of {limit}.");
        }

        return await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
    };

    /// <summary>The encoded bytes.</summary>
    public ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken = default) =>
        reader is null ? ValueTask.FromResult(bytes) : reader(cancellationToken);
}
