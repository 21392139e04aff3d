namespace Serverless.Storage;

/// <summary>Reads a whole stream into one array, sized up front when the length is known, never past a limit.</summary>
internal static class StreamBytes
{
    /// <param name="knownLength">The stated length, or 0 / negative when unknown.</param>
    /// <param name="maxBytes">The most bytes the caller takes; a longer stream throws <see cref="TooLargeException"/>.</param>
    public static async Task<byte[]> ReadAllAsync(Stream stream, long knownLength, long maxBytes, CancellationToken cancellationToken)
    {
        if (knownLength > maxBytes)
            throw new TooLargeException(knownLength, maxBytes);
        if (knownLength > 0 && knownLength <= Array.MaxLength)
        {
            var buffer = new byte[knownLength];
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer;
        }

        using var memory = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (memory.Length + read > maxBytes)
                throw new TooLargeException(null, maxBytes);
            memory.Write(chunk, 0, read);
        }
        return memory.ToArray();
    }
}

/// <summary>Raised inside a read that passed its limit; the executor turns it into a <see cref="StorageErrorKind.TooLarge"/> failure.</summary>
internal sealed class TooLargeException(long? length, long maxBytes)
    : Exception(length is { } n ? $"{n} bytes, more than the {maxBytes} allowed" : $"more than the {maxBytes} bytes allowed")
{
    public long MaxBytes { get; } = maxBytes;
}
