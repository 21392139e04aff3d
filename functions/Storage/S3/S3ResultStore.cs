using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace Serverless.Storage.S3;

/// <summary>Outputs under an S3 prefix. Uploads switch chunk encoding off: s3rver would keep the aws-chunked framing in the object.</summary>
internal sealed class S3ResultStore(SourceUri location, IAmazonS3 client, StorageExecutor executor) : IResultStore
{
    public SourceUri Location { get; } = location;

    public Task WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var key = Key(name);
        return executor.RunAsync(Describe(key), async ct =>
        {
            using var body = new MemoryStream(content.ToArray(), writable: false);
            await PutAsync(key, body, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public async Task WriteAsync(string name, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken = default)
    {
        var key = Key(name);
        using var spool = await SpoolFile.WriteAsync(writeContent, cancellationToken).ConfigureAwait(false);
        await executor.RunAsync(Describe(key), async ct =>
        {
            await using var body = spool.OpenRead();
            await PutAsync(key, body, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task ConcatenateAsync(string name, IReadOnlyList<string> sources, CancellationToken cancellationToken = default) =>
        new S3Concatenation(client, executor, Location.Container, Key(name), ResultNames.ContentType(name)).RunAsync(sources.Select(Key).ToArray(), cancellationToken);

    public Task<byte[]> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        var key = Key(name);
        return executor.RunAsync(Describe(key), async ct =>
        {
            using var response = await client.GetObjectAsync(Location.Container, key, ct).ConfigureAwait(false);
            // Results are files this system wrote (parts, summaries): no read limit.
            return await S3ObjectBody.ReadAllAsync(response, long.MaxValue, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<T> ReadAsync<T>(string name, Func<Stream, CancellationToken, Task<T>> read, CancellationToken cancellationToken = default)
    {
        var key = Key(name);
        return executor.RunAsync(Describe(key), async ct =>
        {
            using var response = await client.GetObjectAsync(Location.Container, key, ct).ConfigureAwait(false);
            return await read(response.ResponseStream, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default)
    {
        var key = Key(name);
        return executor.RunAsync(Describe(key), async ct =>
        {
            var response = await client.GetObjectAsync(Location.Container, key, ct).ConfigureAwait(false);
            return (Stream)new OwningStream(response.ResponseStream, response);
        }, cancellationToken);
    }

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        var key = Key(name);
        return executor.RunAsync(Describe(key), async ct =>
        {
            try
            {
                await client.GetObjectMetadataAsync(Location.Container, key, ct).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
            {
                // HEAD has no body: a missing bucket also reads as plain 404 here; check it.
                await client.ListObjectsV2Async(
                    new ListObjectsV2Request { BucketName = Location.Container, MaxKeys = 1, Prefix = key }, ct).ConfigureAwait(false);
                return false;
            }
        }, cancellationToken);
    }

    public Task DeleteAsync(IReadOnlyList<string> names, CancellationToken cancellationToken = default)
    {
        if (names.Count == 0)
            return Task.CompletedTask;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(names.Count, IResultStore.DeleteBatch, nameof(names));
        var request = new DeleteObjectsRequest { BucketName = Location.Container, Quiet = true, Objects = names.Select(n => new KeyVersion { Key = Key(n) }).ToList() };
        return executor.RunAsync(Location.ToString(), async ct =>
        {
            var response = await client.DeleteObjectsAsync(request, ct).ConfigureAwait(false);
            // A missing key is a success in S3; any other per-key error is the store refusing.
            if (response.DeleteErrors is { Count: > 0 } errors)
                throw new StorageException(errors[0].Code == "AccessDenied" ? StorageErrorKind.AccessDenied : StorageErrorKind.Other, Location.ToString(),
                    $"{errors.Count} of {names.Count} deletes failed, the first {errors[0].Key}: {errors[0].Code} {errors[0].Message}");
        }, cancellationToken);
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var request = new ListObjectsV2Request
            {
                BucketName = Location.Container,
                Prefix = Location.Prefix + prefix,
                ContinuationToken = token,
            };
            var response = await executor.RunAsync(
                Location.ToString(), ct => client.ListObjectsV2Async(request, ct), cancellationToken).ConfigureAwait(false);
            foreach (var obj in response.S3Objects ?? [])
            {
                yield return obj.Key[Location.Prefix.Length..];
            }

            token = response.IsTruncated == true ? response.NextContinuationToken : null;
        }
        while (token is not null);
    }

    private Task PutAsync(string key, Stream body, CancellationToken cancellationToken) =>
        client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Location.Container,
            Key = key,
            InputStream = body,
            AutoCloseStream = false,
            ContentType = ResultNames.ContentType(key),
            UseChunkEncoding = false,
        }, cancellationToken);

    private string Key(string name) => Location.Prefix + ResultNames.Validate(name);

    private string Describe(string key) => $"s3://{Location.Container}/{key}";
}
