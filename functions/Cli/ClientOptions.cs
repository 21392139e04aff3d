using System.CommandLine;
using System.CommandLine.Parsing;

namespace Serverless.Cli;

/// <summary>The options every client command shares: where the host is, its key, how long to wait for it, and the output format.</summary>
internal sealed class ClientOptions
{
    /// <summary>The formats of <c>-o</c>.</summary>
    public static readonly string[] Formats = ["table", "json"];

    public ClientOptions()
    {
        Url.Validators.Add(ValidateUrl);
        Output.Validators.Add(ValidateOutput);
        Output.CompletionSources.Add(Formats);
        RequestTimeout.CustomParser = ParseTimeout;
    }

    public Option<string> Url { get; } = new("--url")
    {
        Description = "Base URL of the host (env SERVERLESS_URL).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SERVERLESS_URL") ?? "http://127.0.0.1:7071",
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = "Function or master key (env SERVERLESS_KEY).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SERVERLESS_KEY"),
    };

    public Option<string> Output { get; } = new("-o", "--output") { Description = "Output format: table or json.", DefaultValueFactory = _ => "table" };

    public Option<TimeSpan> RequestTimeout { get; } = new("--request-timeout")
    {
        Description = "How long to wait for one answer of the host: 30s, 2m, 1h, 500ms (a bare number is seconds; 0: no limit).",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(60),
    };

    /// <summary>Adds the shared options; <paramref name="output"/> false for commands that print one confirmation line.</summary>
    public void AddTo(Command command, bool output = true)
    {
        command.Options.Add(Url);
        command.Options.Add(Key);
        command.Options.Add(RequestTimeout);
        if (output)
            command.Options.Add(Output);
    }

    public bool Json(ParseResult parse) => parse.GetValue(Output) == "json";

    public JobsClient CreateClient(ParseResult parse) =>
        new(BaseUrl(parse.GetValue(Url)!), parse.GetValue(Key), parse.GetValue(RequestTimeout));

    /// <summary>The URL with a trailing slash, so the API's relative paths keep a path prefix (an ingress's <c>/serverless/</c>).</summary>
    private static Uri BaseUrl(string url)
    {
        // The validator checks a given --url; this one is also the default (SERVERLESS_URL).
        if (UrlError(url) is { } error)
            throw new CliException(error, ExitCodes.Usage);
        var uri = new Uri(url, UriKind.Absolute);
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/" + uri.Query);
    }

    private static void ValidateUrl(OptionResult result)
    {
        if (UrlError(result.GetValueOrDefault<string>()) is { } error)
            result.AddError(error);
    }

    private static string? UrlError(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is ("http" or "https") && !string.IsNullOrEmpty(uri.Host)
            ? null
            : $"--url must be an absolute http:// or https:// URL, not '{value}'.";

    private static void ValidateOutput(OptionResult result)
    {
        var value = result.GetValueOrDefault<string>();
        if (!Formats.Contains(value))
            result.AddError($"-o must be table or json, not '{value}'.");
    }

    /// <summary>kubectl's durations: a number with a unit (ms, s, m, h), a bare number of seconds; 0 is no limit.</summary>
    private static TimeSpan ParseTimeout(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : "";
        if (TryParseDuration(text, out var duration))
            return duration;
        result.AddError($"--request-timeout must be a duration such as 30s, 2m or 500ms, not '{text}'.");
        return default;
    }

    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : (text, 1.0);
        if (!double.TryParse(number, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || value * unit > int.MaxValue / 1000.0)
            return false;
        duration = value == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(value * unit);
        return true;
    }
}
