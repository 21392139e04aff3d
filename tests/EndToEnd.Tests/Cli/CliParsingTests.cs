using Serverless.Cli;

namespace Serverless.EndToEnd.Tests.Cli;

/// <summary>The command line as System.CommandLine parses it, in process: what is a usage error (exit 2, one line) and what is not.</summary>
public sealed class CliParsingTests
{
    public static TheoryData<string[]> CommandsWithOutput => new()
    {
        new[] { "status", "job-1" },
        new[] { "jobs" },
        new[] { "submit", "s3://photos/in/", "--model", "m.onnx" },
    };

    [Theory]
    [MemberData(nameof(CommandsWithOutput))]
    public void Output_is_table_or_json_and_anything_else_is_a_one_line_usage_error(string[] command)
    {
        Assert.Empty(Parse([.. command, "-o", "json"]).Errors);
        Assert.Empty(Parse([.. command, "--output", "table"]).Errors);
        Assert.Empty(Parse(command).Errors);

        foreach (var format in new[] { "yaml", "wide", "JSON", "" })
        {
            var parse = Parse([.. command, "-o", format]);
            var line = CliErrors.UsageLine(parse);
            Assert.True(parse.Errors.Count > 0, $"-o '{format}' was accepted");
            Assert.Contains("-o must be table or json", line);
            Assert.DoesNotContain('\n', line);
            Assert.EndsWith($"(see 'serverless {command[0]} --help')", line);
        }
    }

    [Fact]
    public async Task A_usage_error_exits_2_before_anything_runs()
    {
        // Nothing listens on port 1: were the command run, it would exit 1 (host unreachable).
        Assert.Equal(ExitCodes.Usage, await CommandLine.RunAsync(["status", "job-1", "-o", "yaml", "--url", "http://127.0.0.1:1"]));
        Assert.Equal(ExitCodes.Usage, await CommandLine.RunAsync(["status", "job-1", "--no-such-flag"]));
        Assert.Equal(ExitCodes.Usage, await CommandLine.RunAsync(["terminate"]));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("127.0.0.1:7071")]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("http://")]
    public void A_url_that_is_not_an_absolute_http_url_is_a_usage_error(string url)
    {
        var parse = Parse(["jobs", "--url", url]);
        Assert.Contains("--url must be an absolute http:// or https:// URL", CliErrors.UsageLine(parse));
    }

    [Theory]
    [InlineData("http://127.0.0.1:7071")]
    [InlineData("https://serverless.example.com/prefix/")]
    public void An_http_or_https_url_is_accepted(string url) => Assert.Empty(Parse(["jobs", "--url", url]).Errors);

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1_500)]
    [InlineData("10", 10_000)]
    public void Request_timeouts_are_kubectl_durations(string text, int milliseconds)
    {
        var parse = Parse(["status", "job-1", "--request-timeout", text]);
        Assert.Empty(parse.Errors);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), parse.GetValue<TimeSpan>("--request-timeout"));
    }

    [Fact]
    public void A_request_timeout_of_0_is_no_limit_and_a_word_is_a_usage_error()
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, Parse(["jobs", "--request-timeout", "0"]).GetValue<TimeSpan>("--request-timeout"));
        Assert.Equal(TimeSpan.FromSeconds(60), Parse(["jobs"]).GetValue<TimeSpan>("--request-timeout"));
        foreach (var bad in new[] { "soon", "1,5s", "5d", "s" })
            Assert.Contains("--request-timeout must be a duration", CliErrors.UsageLine(Parse(["jobs", "--request-timeout", bad])));
    }

    [Fact]
    public void Terminate_and_purge_take_one_job_id()
    {
        Assert.Empty(Parse(["terminate", "job-1", "--reason", "wrong model", "--wait"]).Errors);
        Assert.Empty(Parse(["purge", "job-1"]).Errors);
        Assert.NotEmpty(Parse(["terminate"]).Errors);
        Assert.NotEmpty(Parse(["purge", "job-1", "job-2"]).Errors);
        // They print one confirmation line: no -o.
        Assert.NotEmpty(Parse(["purge", "job-1", "-o", "json"]).Errors);
    }

    private static System.CommandLine.ParseResult Parse(string[] args) => CommandLine.Parse(args);
}
