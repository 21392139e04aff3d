using Serverless.Storage.Results;

namespace Serverless.Storage.Tests.Results;

public sealed class PredictionFormatTests
{
    [Fact]
    public void Named_outputs_are_float_array_fields_after_the_passthrough_columns_and_read_back()
    {
        var row = PredictionRow.Success("a.jpg", [new LabelScore(1, "red", 0.5f)]) with
        {
            Columns = new() { ["site"] = System.Text.Json.JsonDocument.Parse("\"north\"").RootElement.Clone() },
            Outputs = new Dictionary<string, float[]> { ["features"] = [0.1f, -2.5f, float.NaN], ["pool"] = [1f] },
        };

        var line = PredictionJson.Serialize(row);

        Assert.EndsWith(",\"site\":\"north\",\"features\":[0.1,-2.5,null],\"pool\":[1]}", line);
        var back = PredictionJson.Parse(line, ["features", "pool"]);
        Assert.Equal([0.1f, -2.5f], back.Outputs!["features"][..2]);
        Assert.True(float.IsNaN(back.Outputs["features"][2]));
        Assert.Equal([1f], back.Outputs["pool"]);
        Assert.Equal(["site"], back.Columns!.Keys);
        // Without the names they are passthrough fields, kept as they are.
        Assert.Equal(line, PredictionJson.Serialize(PredictionJson.Parse(line)));
    }

    [Fact]
    public void Json_lines_round_trip_and_omit_nulls()
    {
        var ok = PredictionRow.Success("dir/a.jpg", [new LabelScore(281, "tabby, tabby cat", 0.75f)]);
        var line = PredictionJson.Serialize(ok);
        Assert.Equal("{\"key\":\"dir/a.jpg\",\"top\":[{\"index\":281,\"label\":\"tabby, tabby cat\",\"score\":0.75}]}", line);
        Assert.Equal(ok.Top, PredictionJson.Parse(line).Top);

        var failed = PredictionJson.Parse(PredictionJson.Serialize(PredictionRow.Failure("b.jpg", "decode_failed", "bad header")));
        Assert.True(failed.Failed);
        Assert.Equal("bad header", failed.ErrorMessage);
        Assert.Empty(failed.Top);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData(" edge", "\" edge\"")]
    public void Csv_quotes_only_what_needs_it(string field, string expected) =>
        Assert.Equal(expected, PredictionCsv.Quote(field));

    [Fact]
    public void Malformed_line_is_a_format_error() =>
        Assert.Throws<FormatException>(() => PredictionJson.Parse("{not json"));

    [Fact]
    public void A_json_lines_object_is_read_line_by_line_from_its_bytes()
    {
        string[] keys = ["a.jpg", "fötter/ß.jpg", "日本/写真.jpg"];
        var json = keys.Select(k => PredictionJson.Serialize(PredictionRow.Success(k, [new LabelScore(1, "red", 0.5f)]))).ToList();
        // A blank first line, a Windows line end, two line ends at the end.
        var bytes = System.Text.Encoding.UTF8.GetBytes($"\n{json[0]}\n{json[1]}\r\n{json[2]}\n\n");

        var lines = PredictionJson.Lines(bytes).ToList();

        Assert.Equal(keys, lines.Select(l => PredictionJson.Parse(l.Span, null).Key));
        Assert.All(lines, l => Assert.NotEqual((byte)'\n', l.Span[^1]));
        Assert.Empty(PredictionJson.Lines(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void A_malformed_line_read_from_bytes_names_its_text()
    {
        var error = Assert.Throws<FormatException>(() => PredictionJson.Parse("{\"top\":[]}"u8, null));
        Assert.Contains("{\"top\":[]}", error.Message);
        Assert.Throws<FormatException>(() => PredictionJson.Parse("{\"key\":\"a.jpg\", broken"u8, null));
    }
}
