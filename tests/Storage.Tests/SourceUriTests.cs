namespace Serverless.Storage.Tests;

public sealed class SourceUriTests
{
    [Theory]
    [InlineData("s3://images/cats", StorageKind.S3, "images", "cats/")]
    [InlineData("s3://images/cats/", StorageKind.S3, "images", "cats/")]
    [InlineData("s3://images", StorageKind.S3, "images", "")]
    [InlineData("s3://my.bucket-1/a/b/c", StorageKind.S3, "my.bucket-1", "a/b/c/")]
    [InlineData("azblob://photos/2024/jan", StorageKind.AzureBlob, "photos", "2024/jan/")]
    [InlineData("AZBLOB://photos", StorageKind.AzureBlob, "photos", "")]
    public void Parses_object_store_locations(string text, StorageKind kind, string container, string prefix)
    {
        var uri = SourceUri.Parse(text);
        Assert.Equal(kind, uri.Kind);
        Assert.Equal(container, uri.Container);
        Assert.Equal(prefix, uri.Prefix);
    }

    [Fact]
    public void Parses_local_paths_and_file_uris()
    {
        var relative = SourceUri.Parse("some/dir");
        Assert.Equal(StorageKind.Local, relative.Kind);
        Assert.Equal(Path.GetFullPath("some/dir"), relative.LocalPath);
        Assert.Equal("/tmp/a b", SourceUri.Parse("file:///tmp/a%20b").LocalPath);
        Assert.Equal("/data/x", SourceUri.Parse("/data/x").ToString());
    }

    [Theory]
    [InlineData("gs://bucket/x", "unknown scheme 'gs://'")]
    [InlineData("s3://", "bucket name is missing")]
    [InlineData("s3://Upper/x", "not a valid bucket name")]
    [InlineData("azblob://a_b/x", "not a valid container name")]
    [InlineData("s3://bucket/a//b", "empty path segment")]
    [InlineData("", "storage location is required")]
    public void Rejects_bad_locations_with_a_reason(string text, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => SourceUri.Parse(text));
        Assert.Contains(reason, ex.Message);
        Assert.False(SourceUri.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Child_appends_a_folder()
    {
        Assert.Equal("s3://bkt/in/out/", SourceUri.Parse("s3://bkt/in").Child("out").ToString());
        Assert.Equal("azblob://ctr/job-1/", SourceUri.Parse("azblob://ctr").Child("job-1/").ToString());
        Assert.Equal(Path.Combine("/data", "out"), SourceUri.Parse("/data").Child("out").LocalPath);
    }
}
