using Azure.Storage.Blobs;
using Serverless.Storage.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Storage.Tests.Blob;

/// <summary>The Azure Blob source against a real Azurite.</summary>
public sealed class BlobImageSourceTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Lists_1200_blobs_in_pages_of_500_with_continuation_tokens()
    {
        var container = await Emulators.NewContainerAsync(azurite);
        var expected = Enumerable.Range(0, 1200).Select(i => $"in/img-{i:D5}.jpg").ToList();
        await Emulators.PutManyAsync(container, expected.Concat(["other/x.jpg", "in/readme.txt"]));

        var listed = new List<string>();
        var pages = new List<SourcePage>();
        string? token = null;
        do
        {
            var source = ImageSourceFactory.Create($"azblob://{container.Name}/in", Emulators.Connections(azurite));
            var page = await source.ListPageAsync(token, 500);
            pages.Add(page);
            listed.AddRange(page.Keys);
            token = page.NextToken;
        }
        while (token is not null);

        Assert.Equal(3, pages.Count);
        Assert.Equal(expected, listed);
        Assert.Equal(1, pages.Sum(p => p.Skipped));
        Assert.All(pages, p => Assert.True(p.Keys.Count + p.Skipped <= 500));
    }

    [Fact]
    public async Task A_blob_over_the_read_limit_is_too_large_told_by_its_length()
    {
        var container = await Emulators.NewContainerAsync(azurite);
        await container.UploadBlobAsync("a/big.png", BinaryData.FromBytes(Bytes.Random(300_000, seed: 13)));
        var source = ImageSourceFactory.Create($"azblob://{container.Name}/a", Emulators.Connections(azurite));

        var error = await Assert.ThrowsAsync<StorageException>(() => source.ReadAllBytesAsync("a/big.png", 299_999));

        Assert.Equal(StorageErrorKind.TooLarge, error.Kind);
        Assert.Contains("300000 bytes, more than the 299999 allowed", error.Message);
    }

    [Fact]
    public async Task Reads_the_exact_bytes_that_were_stored()
    {
        var container = await Emulators.NewContainerAsync(azurite);
        var random = Bytes.Random(600_000, seed: 11);
        await container.UploadBlobAsync("a/random.png", BinaryData.FromBytes(random));
        var source = ImageSourceFactory.Create($"azblob://{container.Name}/a", Emulators.Connections(azurite));

        Assert.Equal(Bytes.Sha256(random), Bytes.Sha256(await source.ReadAllBytesAsync("a/random.png", Bytes.Limit)));
        Assert.Equal(Bytes.Sha256(random), Bytes.Sha256(await Bytes.ReadAllAsync(await source.OpenReadAsync("a/random.png"))));
    }

    [Fact]
    public async Task Unknown_container_and_missing_blob_are_told_apart()
    {
        var source = ImageSourceFactory.Create("azblob://no-such-container/x", Emulators.Connections(azurite));
        var listing = await Assert.ThrowsAsync<StorageException>(() => source.ListPageAsync(null, 10));
        Assert.Equal(StorageErrorKind.ContainerNotFound, listing.Kind);
        Assert.Contains("container does not exist", listing.Message);

        var container = await Emulators.NewContainerAsync(azurite);
        var existing = ImageSourceFactory.Create($"azblob://{container.Name}", Emulators.Connections(azurite));
        var read = await Assert.ThrowsAsync<StorageException>(() => existing.ReadAllBytesAsync("missing.jpg", Bytes.Limit));
        Assert.Equal(StorageErrorKind.ObjectNotFound, read.Kind);
    }

    [Fact]
    public async Task Wrong_account_key_is_access_denied()
    {
        var container = await Emulators.NewContainerAsync(azurite);
        var wrongKey = Convert.ToBase64String(Bytes.Random(64, seed: 3));
        var connections = new StorageConnections
        {
            Blob = new BlobSettings { ConnectionString = azurite.ConnectionString.Replace(AzuriteProcess.AccountKey, wrongKey) },
        };
        var source = ImageSourceFactory.Create($"azblob://{container.Name}", connections);

        var ex = await Assert.ThrowsAsync<StorageException>(() => source.ListPageAsync(null, 10));
        Assert.Equal(StorageErrorKind.AccessDenied, ex.Kind);
        Assert.DoesNotContain(wrongKey, ex.Message);
    }

    [Fact]
    public void Missing_or_malformed_connection_string_is_a_clear_error()
    {
        var none = Assert.Throws<StorageException>(() => ImageSourceFactory.Create("azblob://photos", new StorageConnections()));
        Assert.Contains("connection string", none.Message);
        var bad = Assert.Throws<StorageException>(() => ImageSourceFactory.Create(
            "azblob://photos", new StorageConnections { Blob = new BlobSettings { ConnectionString = "not a connection string" } }));
        Assert.Equal(StorageErrorKind.InvalidRequest, bad.Kind);
    }
}
