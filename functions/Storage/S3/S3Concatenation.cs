using Amazon.S3;
using Amazon.S3.Model;

namespace Serverless.Storage.S3;

/// <summary>
/// Joins objects into one with a multipart upload. Each source of at least <see cref="MinCopyPart"/>
/// bytes, met with nothing buffered, is copied server-side (UploadPartCopy); smaller ones, and every
/// source on a store that answers NotImplemented (s3rver 3.7.1 does), are streamed into parts of
/// <see cref="PartBytes"/>: memory holds one part. Uploads switch chunk encoding off (s3rver keeps its framing).
/// </summary>
internal sealed class S3Concatenation(IAmazonS3 client, StorageExecutor executor, string bucket, string key, string contentType)
{
    /// <summary>S3's smallest part but the last.</summary>
    public const long MinCopyPart = 5L * 1024 * 1024;

    /// <summary>Streamed parts: above S3's 5 MiB minimum; 10,000 parts of it hold 80 GiB.</summary>
    public const int PartBytes = 8 * 1024 * 1024;

    private static bool copyUnsupported;

    public async Task RunAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken)
    {
        var describe = $"s3://{bucket}/{key}";
        var upload = await executor.RunAsync(describe, ct => client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ContentType = contentType }, ct), cancellationToken).ConfigureAwait(false);
        var parts = new List<PartETag>();
        try
        {
            var buffer = new byte[PartBytes];
            var filled = 0;
            foreach (var source in sources)
            {
                if (filled == 0 && !Volatile.Read(ref copyUnsupported) && await TryCopyAsync(upload.UploadId, source, parts, cancellationToken).ConfigureAwait(false))
                    continue;
                using var response = await executor.RunAsync($"s3://{bucket}/{source}", ct => client.GetObjectAsync(bucket, source, ct), cancellationToken).ConfigureAwait(false);
                int read;
                while ((read = await response.ResponseStream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    filled += read;
                    if (filled == buffer.Length)
                    {
                        await UploadAsync(upload.UploadId, buffer, filled, parts, cancellationToken).ConfigureAwait(false);
                        filled = 0;
                    }
                }
            }
            if (filled > 0 || parts.Count == 0)
                await UploadAsync(upload.UploadId, buffer, filled, parts, cancellationToken).ConfigureAwait(false);
            await executor.RunAsync(describe, ct => client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = parts,
            }, ct), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            try
            {
                await client.AbortMultipartUploadAsync(bucket, key, upload.UploadId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Amazon.Runtime.AmazonServiceException)
            {
                // The upload is left for the bucket's lifecycle rule; the first error is the one to report.
            }
            throw;
        }
    }

    private async Task<bool> TryCopyAsync(string uploadId, string source, List<PartETag> parts, CancellationToken cancellationToken)
    {
        var size = await executor.RunAsync($"s3://{bucket}/{source}", async ct =>
            (await client.GetObjectMetadataAsync(bucket, source, ct).ConfigureAwait(false)).ContentLength, cancellationToken).ConfigureAwait(false);
        if (size < MinCopyPart)
            return false;
        try
        {
            var number = parts.Count + 1;
            var copied = await client.CopyPartAsync(new CopyPartRequest
            {
                SourceBucket = bucket, SourceKey = source, DestinationBucket = bucket, DestinationKey = key, UploadId = uploadId, PartNumber = number,
            }, cancellationToken).ConfigureAwait(false);
            parts.Add(new PartETag(number, copied.ETag));
            return true;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NotImplemented")
        {
            Volatile.Write(ref copyUnsupported, true);
            return false;
        }
    }

    private async Task UploadAsync(string uploadId, byte[] buffer, int length, List<PartETag> parts, CancellationToken cancellationToken)
    {
        var number = parts.Count + 1;
        var response = await executor.RunAsync($"s3://{bucket}/{key}", async ct =>
        {
            using var body = new MemoryStream(buffer, 0, length, writable: false);
            return await client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket, Key = key, UploadId = uploadId, PartNumber = number, InputStream = body, PartSize = length, UseChunkEncoding = false,
            }, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        parts.Add(new PartETag(number, response.ETag));
    }
}
