using Amazon.S3;
using Serverless.Storage.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Storage.Tests.S3;

/// <summary>The S3 source against a real s3rver.</summary>
public sealed class S3ImageSourceTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>
{
    private readonly AmazonS3Client raw = Emulators.RawS3(s3rver);

    [Fact]
    public async Task Lists_2500_keys_in_pages_of_1000_with_continuation_tokens()
    {
        var bucket = await Emulators.NewBucketAsync(raw);
        var expected = Enumerable.Range(0, 2500).Select(i => $"in/img-{i:D5}.jpg").ToList();
        await Emulators.PutManyAsync(raw, bucket, expected.Concat(["outside/x.jpg", "inside.jpg"]));
        var source = ImageSourceFactory.Create($"s3://{bucket}/in", Emulators.Connections(s3rver));

        // Page by page the way an orchestrator does: one call per page, only the token kept.
        var listed = new List<string>();
        var pageSizes = new List<int>();
        string? token = null;
        do
        {
            var fresh = ImageSourceFactory.Create($"s3://{bucket}/in", Emulators.Connections(s3rver));
            var page = await fresh.ListPageAsync(token, 1000);
            pageSizes.Add(page.Keys.Count);
            listed.AddRange(page.Keys);
            token = page.NextToken;
        }
        while (token is not null);

        Assert.Equal([1000, 1000, 500], pageSizes);
        Assert.Equal(expected, listed);

        // The streaming enumeration gives the same, in the same pages.
        var streamed = new List<SourcePage>();
        await foreach (var page in source.ListPagesAsync(null, 1000))
        {
            streamed.Add(page);
        }

        Assert.Equal(expected, streamed.SelectMany(p => p.Keys));
        Assert.Equal(3, streamed.Count);
        Assert.True(streamed[^1].IsLast);
    }

    [Fact]
    public async Task Listing_fetches_a_page_only_when_asked()
    {
        var bucket = await Emulators.NewBucketAsync(raw);
        await Emulators.PutManyAsync(raw, bucket, Enumerable.Range(0, 30).Select(i => $"k{i:D3}.png"));
        var source = ImageSourceFactory.Create($"s3://{bucket}", Emulators.Connections(s3rver));

        var pages = new List<SourcePage>();
        await foreach (var page in source.ListPagesAsync(null, 10))
        {
            pages.Add(page);
            if (pages.Count == 1)
            {
                // Written after the first page came back: a listing that had read everything
                // up front could not see it.
                await Emulators.PutAsync(raw, bucket, "z-late.png", [1, 2, 3]);
            }
        }

        Assert.Equal(4, pages.Count);
        Assert.Equal("z-late.png", pages[^1].Keys[^1]);
        Assert.Equal(31, pages.Sum(p => p.Keys.Count));
    }

    [Fact]
    public async Task Filters_by_image_extension_and_counts_what_it_skips()
    {
        var bucket = await Emulators.NewBucketAsync(raw);
        await Emulators.PutManyAsync(raw, bucket, ["a.JPG", "b.jpeg", "c.png", "d.txt", "e", "f.webp", "g.jpg.bak", "h.Bmp", "i.gif"]);
        var source = ImageSourceFactory.Create($"s3://{bucket}", Emulators.Connections(s3rver));

        var page = await source.ListPageAsync(null, 100);
        Assert.Equal(["a.JPG", "b.jpeg", "c.png", "f.webp", "h.Bmp", "i.gif"], page.Keys);
        Assert.Equal(3, page.Skipped);

        var all = ImageSourceFactory.Create($"s3://{bucket}", new StorageConnections
        {
            S3 = Emulators.Connections(s3rver).S3,
            ImageExtensions = null,
        });
        Assert.Equal(9, (await all.ListPageAsync(null, 100)).Keys.Count);
    }

    [Fact]
    public async Task An_object_over_the_read_limit_is_too_large_told_by_its_length()
    {
        var bucket = await Emulators.NewBucketAsync(raw);
        await Emulators.PutAsync(raw, bucket, "img/big.jpg", Bytes.Random(300_000, seed: 5));
        var source = ImageSourceFactory.Create($"s3://{bucket}/img", Emulators.Connections(s3rver));

        var error = await Assert.ThrowsAsync<StorageException>(() => source.ReadAllBytesAsync("img/big.jpg", 100_000));

        Assert.Equal(StorageErrorKind.TooLarge, error.Kind);
        Assert.Contains("300000 bytes, more than the 100000 allowed", error.Message);
        Assert.Equal(300_000, (await source.ReadAllBytesAsync("img/big.jpg", 300_000)).Length);
    }

    [Fact]
    public async Task Reads_the_exact_bytes_that_were_stored()
    {
        var bucket = await Emulators.NewBucketAsync(raw);
        var random = Bytes.Random(300_000, seed: 7);
        var photo = await File.ReadAllBytesAsync(Directory.EnumerateFiles(RepoPaths.ImagenetSample200, "*.*").Order().First());
        await Emulators.PutAsync(raw, bucket, "img/random.jpg", random);
        await Emulators.PutAsync(raw, bucket, "img/photo.jpg", photo);
        var source = ImageSourceFactory.Create($"s3://{bucket}/img", Emulators.Connections(s3rver));

        Assert.Equal(Bytes.Sha256(random), Bytes.Sha256(await source.ReadAllBytesAsync("img/random.jpg", Bytes.Limit)));
        Assert.Equal(Bytes.Sha256(photo), Bytes.Sha256(await source.ReadAllBytesAsync("img/photo.jpg", Bytes.Limit)));
        Assert.Equal(Bytes.Sha256(photo), Bytes.Sha256(await Bytes.ReadAllAsync(await source.OpenReadAsync("img/photo.jpg"))));
    }

    [Fact]
    public async Task A_body_that_does_not_match_its_MD5_ETag_is_retried_then_reported()
    {
        var bucket = await Emulators.NewBucketAsync(raw);
        var photo = await File.ReadAllBytesAsync(Directory.EnumerateFiles(RepoPaths.ImagenetSample200, "*.*").Order().First());
        await Emulators.PutAsync(raw, bucket, "img/photo.jpg", photo);
        // Damage the stored bytes behind s3rver's back (same length), so it serves them with the original ETag.
        var stored = Path.Combine(s3rver.S3rver.Directory, bucket, "img", "photo.jpg._S3rver_object");
        var damaged = (byte[])photo.Clone();
        damaged[photo.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(stored, damaged);
        var retries = new List<int>();
        var retry = new RetrySettings { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(10), OnRetry = (_, n, _) => retries.Add(n) };
        var source = ImageSourceFactory.Create($"s3://{bucket}/img", Emulators.Connections(s3rver, retry));

        var ex = await Assert.ThrowsAsync<StorageException>(() => source.ReadAllBytesAsync("img/photo.jpg", Bytes.Limit));
        Assert.Contains("ETag", ex.Message);
        Assert.Equal([1, 2], retries);

        // Stored intact again, the same source reads it.
        await File.WriteAllBytesAsync(stored, photo);
        Assert.Equal(Bytes.Sha256(photo), Bytes.Sha256(await source.ReadAllBytesAsync("img/photo.jpg", Bytes.Limit)));
    }

    [Fact]
    public async Task Unknown_bucket_and_missing_key_are_told_apart()
    {
        var source = ImageSourceFactory.Create("s3://no-such-bucket-here/x", Emulators.Connections(s3rver));
        var listing = await Assert.ThrowsAsync<StorageException>(() => source.ListPageAsync(null, 10));
        Assert.Equal(StorageErrorKind.ContainerNotFound, listing.Kind);
        Assert.Contains("bucket does not exist", listing.Message);
        Assert.Contains("s3://no-such-bucket-here/x/", listing.Message);

        var bucket = await Emulators.NewBucketAsync(raw);
        var existing = ImageSourceFactory.Create($"s3://{bucket}", Emulators.Connections(s3rver));
        var read = await Assert.ThrowsAsync<StorageException>(() => existing.ReadAllBytesAsync("missing.jpg", Bytes.Limit));
        Assert.Equal(StorageErrorKind.ObjectNotFound, read.Kind);
        Assert.Equal("object_not_found", read.Code);
    }

    [Fact]
    public async Task Unknown_access_key_is_access_denied()
    {
        var connections = Emulators.Connections(s3rver);
        connections.S3 = new S3Settings { ServiceUrl = s3rver.ServiceUrl, AccessKey = "NOT-A-KEY", SecretKey = "nope" };
        var bucket = await Emulators.NewBucketAsync(raw);
        var source = ImageSourceFactory.Create($"s3://{bucket}", connections);

        var ex = await Assert.ThrowsAsync<StorageException>(() => source.ListPageAsync(null, 10));
        Assert.Equal(StorageErrorKind.AccessDenied, ex.Kind);
        Assert.DoesNotContain("nope", ex.Message);
    }

    [Fact]
    public async Task Unreachable_endpoint_is_retried_then_reported_unavailable()
    {
        var retries = new List<int>();
        var connections = new StorageConnections
        {
            S3 = new S3Settings { ServiceUrl = $"http://127.0.0.1:{FreePort.Next()}", AccessKey = "S3RVER", SecretKey = "S3RVER" },
            Retry = new RetrySettings { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(20), OnRetry = (_, n, _) => retries.Add(n) },
        };
        var source = ImageSourceFactory.Create("s3://bucket/x", connections);

        var ex = await Assert.ThrowsAsync<StorageException>(() => source.ListPageAsync(null, 10));
        Assert.Equal(StorageErrorKind.Unavailable, ex.Kind);
        Assert.True(ex.IsTransient);
        Assert.Equal([1, 2], retries);
    }
}
