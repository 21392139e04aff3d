using System.CommandLine;

namespace Serverless.Cli;

/// <summary>The <c>--outputs NAME[,NAME]</c> option of <c>classify</c> and <c>submit</c>: model outputs stored per image as float vectors.</summary>
internal static class OutputsOption
{
    /// <summary>The option, its description ended by <paramref name="where"/> (what the command writes them to).</summary>
    public static Option<string?> Create(string where) => new("--outputs")
    {
        Description = $"Model outputs to store per image as float vectors, NAME[,NAME] (e.g. features; serverless inspect-model lists them){where}.",
    };

    /// <summary>The names typed, trimmed, empty ones dropped: the model (classify) or the host (submit, a 400 naming it) judges each.</summary>
    public static string[] Names(ParseResult parse, Option<string?> option) =>
        parse.GetValue(option)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
