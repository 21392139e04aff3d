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

    [Theory]
    [InlineData("s3://bucket/")]
    [InlineData("file:///")]
    [InlineData("/")]
    public void A_location_of_100_KB_is_refused_for_its_length_not_thrown_on(string start)
    {
        Assert.False(SourceUri.TryParse(start + new string('a', 100 * 1024), out _, out var error));
        Assert.Contains("at most 4096 characters", error);
    }

    [Theory]
    [InlineData("file:///tmp/%C0%AE%C0%AE/x")]
    [InlineData("file:///tmp/%FF%FE")]
    [InlineData("file:///tmp/%E2%80%A5")]
    [InlineData("file:///tmp/\uFF0E\uFF0E\uFF0Fetc")]
    [InlineData("file:///tmp/%")]
    public void Overlong_or_invalid_UTF_8_and_lookalike_dots_parse_without_throwing_and_stay_where_they_say(string text)
    {
        // Not decoded into '..' or '/': the path stays under /tmp (a folder named by those characters).
        Assert.True(SourceUri.TryParse(text, out var uri, out var error), error);
        Assert.StartsWith("/tmp/", uri.LocalPath);
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
    [InlineData("file:///%00", "control character")]
    [InlineData("file:///tmp/a%0Ab", "control character")]
    [InlineData("file:///tmp/%1F", "control character")]
    [InlineData("/tmp/a\u0000b", "control character")]
    [InlineData("s3://bucket/a\u0007b", "control character")]
    [InlineData("azblob://photos/a\u007Fb", "control character")]
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
