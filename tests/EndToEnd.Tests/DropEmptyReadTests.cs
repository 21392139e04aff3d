using Serverless.Drops;
using Serverless.Storage;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// An empty read of an S3 drop whose listing and HEAD both still show the empty version: s3rver
/// lists an object between creating its file and writing it. The version is asked about again a
/// moment later, so an upload in progress is not classified as an empty file beside its whole version.
/// </summary>
public sealed class DropEmptyReadTests
{
    private const string EmptyMd5 = "d41d8cd98f00b204e9800998ecf8427e";
    private const string WholeMd5 = "0a87961240fa4b45d37ba16b6520a102";
    private static readonly SourceUri Source = SourceUri.Parse("s3://drops/in/");

    [Fact]
    public async Task An_empty_version_that_becomes_whole_a_moment_later_is_superseded()
    {
        var lister = new ScriptedLister(EmptyMd5, WholeMd5);

        Assert.True(await Checks(lister).IsSupersededAsync(Receipt(EmptyMd5), [], default));
        Assert.Equal(2, lister.Asked);
    }

    [Fact]
    public async Task A_truly_empty_object_is_classified_after_the_second_look()
    {
        var lister = new ScriptedLister(EmptyMd5, EmptyMd5);

        Assert.False(await Checks(lister).IsSupersededAsync(Receipt(EmptyMd5), [], default));
        Assert.Equal(2, lister.Asked);
    }

    [Fact]
    public async Task A_whole_read_whose_version_is_current_is_asked_once()
    {
        // Not an MD5 of the bytes (SSE-KMS, say), but still the object's current ETag: no wait.
        var lister = new ScriptedLister(WholeMd5);

        Assert.False(await Checks(lister).IsSupersededAsync(Receipt(WholeMd5), [1, 2, 3], default));
        Assert.Equal(1, lister.Asked);
    }

    private static DropVersionChecks Checks(IVersionLister lister) =>
        new(Source, lister, ResultStoreFactory.Create(Path.GetTempPath(), new StorageConnections()), TimeSpan.FromMilliseconds(5));

    private static DropReceipt Receipt(string etag) =>
        new() { Location = Source.ToString(), Key = "in/00204_cyan.png", ObjectETag = etag, Status = ReceiptStatus.Claimed };

    /// <summary>Answers the given ETags in turn, then the last one again.</summary>
    private sealed class ScriptedLister(params string[] etags) : IVersionLister
    {
        public int Asked { get; private set; }

        public IAsyncEnumerable<IReadOnlyList<ObjectVersion>> ListPagesAsync(int pageSize, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<string?> CurrentETagAsync(string key, CancellationToken cancellationToken = default) =>
            Task.FromResult<string?>(etags[Math.Min(Asked++, etags.Length - 1)]);
    }
}
