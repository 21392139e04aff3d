using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;

namespace Serverless.Storage.Blob;

/// <summary>
/// Joins blobs into one block blob: each source becomes one block staged server-side (Put Block From
/// URL, with a short read SAS, which Azure and Azurite 3.37 support), or, where no SAS can be made
/// (a token credential) or the store refuses, streamed as blocks of <see cref="BlockBytes"/>. Then one
/// Put Block List commits them in order.
/// </summary>
internal sealed class BlobConcatenation(StorageExecutor executor, string name, BlobContainerClient container, BlobHttpHeaders headers)
{
    public const int BlockBytes = 8 * 1024 * 1024;

    public async Task RunAsync(IReadOnlyList<BlobClient> sources, CancellationToken cancellationToken)
    {
        var target = container.GetBlockBlobClient(name);
        var describe = $"azblob://{container.Name}/{name}";
        var blocks = new List<string>();
        var buffer = default(byte[]);
        foreach (var source in sources)
        {
            if (source.CanGenerateSasUri)
            {
                var id = BlockId(blocks.Count);
                var sas = source.GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1));
                try
                {
                    await executor.RunAsync(describe, ct => target.StageBlockFromUriAsync(sas, id, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
                    blocks.Add(id);
                    continue;
                }
                catch (StorageException e) when (e.Kind is not (StorageErrorKind.ObjectNotFound or StorageErrorKind.ContainerNotFound))
                {
                    // Refused (a store without Put Block From URL): stream it instead.
                }
            }
            buffer ??= new byte[BlockBytes];
            await using var stream = await executor.RunAsync(describe, async ct =>
                (await source.DownloadStreamingAsync(cancellationToken: ct).ConfigureAwait(false)).Value.Content, cancellationToken).ConfigureAwait(false);
            int filled;
            while ((filled = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)) > 0)
            {
                var id = BlockId(blocks.Count);
                var length = filled;
                await executor.RunAsync(describe, async ct =>
                {
                    using var body = new MemoryStream(buffer, 0, length, writable: false);
                    await target.StageBlockAsync(id, body, cancellationToken: ct).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
                blocks.Add(id);
            }
        }
        await executor.RunAsync(describe, ct => target.CommitBlockListAsync(blocks, new CommitBlockListOptions { HttpHeaders = headers }, ct), cancellationToken)
            .ConfigureAwait(false);
    }

    // Block ids of one blob must all have the same length.
    private static string BlockId(int index) => Convert.ToBase64String(BitConverter.GetBytes((long)index));
}
