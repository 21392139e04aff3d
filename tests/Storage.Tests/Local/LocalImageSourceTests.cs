using Serverless.Storage.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Storage.Tests.Local;

public sealed class LocalImageSourceTests
{
    [Fact]
    public async Task A_large_folder_is_read_once_for_all_its_pages_and_again_when_it_changes()
    {
        // A folder of more than SortedFolders.KeepFrom files: its sorted listing is kept between pages.
        using var dir = new TempDir("local-large");
        var count = Serverless.Storage.Local.SortedFolders.KeepFrom + 7;
        for (var i = 0; i < count; i++)
            File.WriteAllBytes(dir.Combine($"{i * 2:D6}.jpg"), []);
        var source = ImageSourceFactory.Create(dir.Path, new StorageConnections());

        var first = await source.ListPageAsync(null, 1000);
        Assert.True(Serverless.Storage.Local.SortedFolders.IsKept(dir.Path));
        // An image added in the middle (an odd number sorts between the even ones) is listed by the next pages.
        File.WriteAllBytes(dir.Combine("005001.jpg"), []);
        var listed = new List<string>(first.Keys);
        for (var token = first.NextToken; token is not null;)
        {
            var page = await source.ListPageAsync(token, 1000);
            listed.AddRange(page.Keys);
            token = page.NextToken;
        }

        var expected = Enumerable.Range(0, count).Select(i => $"{i * 2:D6}.jpg").Append("005001.jpg").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, listed);
    }

    [Fact]
    public async Task Lists_a_folder_tree_page_by_page_with_resumable_tokens()
    {
        using var dir = new TempDir("local-src");
        string[] files =
        [
            "a.jpg", "b/c.png", "b/d/e.jpg", "b/d/f.txt", "b-x/g.jpg", "h.jpeg", "z/y/x/w.gif", "z/y/v.bmp", "empty/.keep",
        ];
        foreach (var f in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(dir.Combine(f))!);
            await File.WriteAllTextAsync(dir.Combine(f), f);
        }

        Directory.CreateDirectory(dir.Combine("really-empty"));
        var source = ImageSourceFactory.Create(dir.Path, new StorageConnections());

        var all = new List<string>();
        var skipped = 0;
        for (var pageSize = 1; pageSize <= 10; pageSize++)
        {
            var listed = new List<string>();
            string? token = null;
            var pageCount = 0;
            do
            {
                var page = await source.ListPageAsync(token, pageSize);
                Assert.True(page.Keys.Count + page.Skipped <= pageSize);
                listed.AddRange(page.Keys);
                skipped = pageSize == 10 ? page.Skipped : skipped;
                token = page.NextToken;
                pageCount++;
            }
            while (token is not null);

            if (all.Count == 0)
            {
                all = listed;
            }

            Assert.Equal(all, listed);
            Assert.Equal((int)Math.Ceiling(files.Length / (double)pageSize), pageCount);
        }

        Assert.Equal(["a.jpg", "b/c.png", "b/d/e.jpg", "b-x/g.jpg", "h.jpeg", "z/y/v.bmp", "z/y/x/w.gif"], all);
        Assert.Equal(2, skipped);
    }

    [Fact]
    public async Task Reads_the_sample_photographs_byte_for_byte()
    {
        var source = ImageSourceFactory.Create(RepoPaths.ImagenetSample200, new StorageConnections());
        var keys = new List<string>();
        await foreach (var key in source.ListKeysAsync(pageSize: 64))
        {
            keys.Add(key);
        }

        Assert.Equal(200, keys.Count);
        var first = keys[0];
        var expected = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.ImagenetSample200, first));
        Assert.Equal(Bytes.Sha256(expected), Bytes.Sha256(await source.ReadAllBytesAsync(first, Bytes.Limit)));
    }

    [Fact]
    public async Task A_folder_that_does_not_exist_or_is_a_file_is_a_clear_error()
    {
        using var dir = new TempDir("local-missing");
        var missing = ImageSourceFactory.Create(dir.Combine("nope"), new StorageConnections());
        var ex = await Assert.ThrowsAsync<StorageException>(() => missing.ListPageAsync(null, 10));
        Assert.Equal(StorageErrorKind.ContainerNotFound, ex.Kind);
        Assert.Contains("folder does not exist", ex.Message);

        await File.WriteAllTextAsync(dir.Combine("file.jpg"), "x");
        var file = ImageSourceFactory.Create(dir.Combine("file.jpg"), new StorageConnections());
        Assert.Equal(StorageErrorKind.InvalidRequest, (await Assert.ThrowsAsync<StorageException>(() => file.ListPageAsync(null, 10))).Kind);
    }

    [Fact]
    public async Task Missing_keys_and_escaping_keys_are_rejected()
    {
        using var dir = new TempDir("local-keys");
        var source = ImageSourceFactory.Create(dir.Path, new StorageConnections());
        Assert.Equal(StorageErrorKind.ObjectNotFound, (await Assert.ThrowsAsync<StorageException>(() => source.ReadAllBytesAsync("nope.jpg", Bytes.Limit))).Kind);
        Assert.Equal(StorageErrorKind.InvalidRequest, (await Assert.ThrowsAsync<StorageException>(() => source.ReadAllBytesAsync("../etc/passwd", Bytes.Limit))).Kind);
    }

    [Fact]
    public async Task A_file_over_the_read_limit_is_too_large_told_by_its_length()
    {
        using var dir = new TempDir("local-big");
        await File.WriteAllBytesAsync(dir.Combine("big.jpg"), Bytes.Random(50_000, seed: 3));
        var source = ImageSourceFactory.Create(dir.Path, new StorageConnections());

        var error = await Assert.ThrowsAsync<StorageException>(() => source.ReadAllBytesAsync("big.jpg", 49_999));

        Assert.Equal(StorageErrorKind.TooLarge, error.Kind);
        Assert.Contains("50000 bytes, more than the 49999 allowed", error.Message);
    }
}
