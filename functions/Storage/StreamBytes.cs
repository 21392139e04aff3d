namespace Serverless.Storage;

/// <summary>Reads a whole stream into one array, sized up front when the length is known.</summary>
internal static class StreamBytes
{
    public static async Task<byte[]> ReadAllAsync(Stream stream, long knownLength, CancellationToken cancellationToken)
    {
        if (knownLength > 0 && knownLength <= Array.MaxLength)
        {
            var buffer = new byte[knownLength];
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer;
        }

        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory, cancellationToken).ConfigureAwait(false);
        return memory.ToArray();
    }
}
