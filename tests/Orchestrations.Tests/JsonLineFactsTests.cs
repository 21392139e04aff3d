using System.Text;
using Serverless.Jobs.Merge;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// What a JSON Lines merge reads of a classified row without building it: the hash of its unescaped key and its
/// top label; anything else (a failed row, a line it does not know) is left to the full parse.
/// </summary>
public sealed class JsonLineFactsTests
{
    [Fact]
    public void A_classified_row_gives_its_key_hash_and_top_label_unescaped()
    {
        var row = PredictionRow.Success("dir/\"ü\" 1.jpg", [new LabelScore(3, "café \"au lait\"", 0.7f), new LabelScore(1, "tea", 0.3f)]) with { Size = 12, ETag = "\"x\"" };

        var (ok, hash, label) = Read(PredictionJson.Serialize(row));

        Assert.True(ok);
        Assert.Equal(KeyHash.Of(row.Key), hash);
        Assert.Equal("café \"au lait\"", label);
        Assert.Equal((true, KeyHash.Of("a.jpg"), (string?)null), Read("""{"key":"a.jpg","top":[],"errorCode":null}"""));
    }

    [Theory]
    [InlineData("""{"key":"a.jpg","top":[],"errorCode":"decode_failed","errorMessage":"no"}""")] // failed: the heal pass may replace it
    [InlineData("""{"Key":"a.jpg","top":[]}""")] // a spelling the serializer's case-insensitive parse accepts
    [InlineData("""{"top":[{"label":"cat"}]}""")] // no key
    [InlineData("""{"key":"a.jpg","top":[{"index":1}]}""")] // a class without a label
    [InlineData("""{"key":"a.jpg","top":[{"label":"cat"}""")] // cut short
    [InlineData("""{"key":"a.jpg"} {"key":"b.jpg"}""")] // two rows on one line
    [InlineData("""["a.jpg"]""")]
    public void Anything_else_is_left_to_the_full_parse(string line) => Assert.False(Read(line).Ok);

    [Fact]
    public void A_key_longer_than_the_buffer_is_left_to_the_full_parse() =>
        Assert.False(Read(PredictionJson.Serialize(PredictionRow.Success(new string('k', JsonLineFacts.MaxChars + 1), []))).Ok);

    private static (bool Ok, ulong Hash, string? Label) Read(string line)
    {
        var label = new char[JsonLineFacts.MaxChars];
        var ok = JsonLineFacts.TryRead(Encoding.UTF8.GetBytes(line), label, out var hash, out var length);
        return (ok, hash, length < 0 ? null : new string(label, 0, length));
    }
}
