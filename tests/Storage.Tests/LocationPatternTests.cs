namespace Serverless.Storage.Tests;

/// <summary>The tenant location matcher: what a pattern allows, and the tricks it must not fall for.</summary>
public sealed class LocationPatternTests
{
    [Theory]
    [InlineData("s3://images/team-a/*", "s3://images/team-a")]
    [InlineData("s3://images/team-a/*", "s3://images/team-a/")]
    [InlineData("s3://images/team-a/*", "s3://images/team-a/2024/jan")]
    [InlineData("s3://images/*", "s3://images")]
    [InlineData("s3://images/*", "s3://images/anything/below")]
    [InlineData("s3://images/team-a*", "s3://images/team-a-2/x")]
    [InlineData("s3://images/team-a", "s3://images/team-a/")]
    [InlineData("S3://images/team-a/*", "s3://images/team-a/x")]
    [InlineData("azblob://container/prefix*", "azblob://container/prefix-1/x")]
    [InlineData("azblob://container@devstoreaccount1/prefix/*", "azblob://container/prefix/x")]
    [InlineData("/data/team-a/*", "/data/team-a")]
    [InlineData("/data/team-a/*", "/data/team-a/sub/dir")]
    [InlineData("/data/team-a/*", "/data/team-a/sub/../other")]
    [InlineData("file:///data/team-a/*", "/data/team-a/x")]
    public void Allows_what_the_pattern_names(string pattern, string location) =>
        Assert.True(LocationPattern.Parse(pattern).Matches(SourceUri.Parse(location)), $"{pattern} should allow {location}");

    [Theory]
    // The bucket and the folder are whole names: no prefix confusion.
    [InlineData("s3://images/team-a/*", "s3://images/team-a-evil/")]
    [InlineData("s3://images/team-a/*", "s3://images/team-ab")]
    [InlineData("s3://images/*", "s3://images-evil/x")]
    [InlineData("s3://images/team-a/*", "s3://images")]
    [InlineData("s3://images/team-a/*", "s3://images/team/")]
    // Without a '*' only the folder itself.
    [InlineData("s3://images/team-a", "s3://images/team-a/sub")]
    // Another store, the same names.
    [InlineData("s3://images/team-a/*", "azblob://images/team-a/")]
    [InlineData("azblob://images/team-a/*", "s3://images/team-a/")]
    [InlineData("s3://images/team-a/*", "/images/team-a")]
    // Keys are case-sensitive in S3 and Blob.
    [InlineData("s3://images/team-a/*", "s3://images/Team-A/")]
    // Encoded characters and backslashes in a key are never matched.
    [InlineData("s3://images/team-a/*", "s3://images/team-a/%2e%2e/team-b")]
    [InlineData("s3://images/team-a/*", "s3://images/team-a/%2F..%2Fteam-b")]
    [InlineData("s3://images/team-a/*", "s3://images/team-a/..\\team-b")]
    // Local paths are judged normalised: '..' leaves the folder.
    [InlineData("/data/team-a/*", "/data/team-a/../team-b")]
    [InlineData("/data/team-a/*", "/data/team-a-evil")]
    [InlineData("/data/team-a/*", "/data")]
    [InlineData("/data/team-a/*", "file:///data/team-a/%2e%2e/team-b")]
    public void Refuses_what_it_does_not_name(string pattern, string location) =>
        Assert.False(LocationPattern.Parse(pattern).Matches(SourceUri.Parse(location)), $"{pattern} should refuse {location}");

    [Fact]
    public void A_location_with_dot_segments_is_not_even_a_location() =>
        Assert.False(SourceUri.TryParse("s3://images/team-a/../team-b", out _, out _));

    [Theory]
    [InlineData("", "is not a location")]
    [InlineData("*", "is not a location")]
    [InlineData("http://example.com/x*", "unknown scheme")]
    [InlineData("s3://Images/*", "not a valid bucket name")]
    [InlineData("s3://images*", "may not end a bucket")]
    [InlineData("s3://images/*/x", "may only end a pattern")]
    [InlineData("s3://images/a?b", "may only end a pattern")]
    [InlineData("s3://images/%2e%2e/*", "encoded characters")]
    [InlineData("s3://images/../*", "'.' or '..' segments")]
    [InlineData("azblob://container@Bad_Account/*", "not a storage account name")]
    [InlineData("relative/path/*", "absolute path")]
    public void A_pattern_that_is_not_a_location_is_a_clear_error(string pattern, string message)
    {
        Assert.False(LocationPattern.TryParse(pattern, out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => LocationPattern.Parse(pattern));
    }

    [Fact]
    public void An_azure_pattern_keeps_the_account_it_names()
    {
        Assert.Equal("devstoreaccount1", LocationPattern.Parse("azblob://photos@devstoreaccount1/a/*").Account);
        Assert.Null(LocationPattern.Parse("azblob://photos/a/*").Account);
        Assert.Null(LocationPattern.Parse("s3://photos/a/*").Account);
    }
}
