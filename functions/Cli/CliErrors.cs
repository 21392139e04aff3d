using System.CommandLine;
using System.Text.Json;
using Serverless.Inference;
using Serverless.Inference.Quantization;
using Serverless.Storage;

namespace Serverless.Cli;

/// <summary>
/// The one place where the client commands' failures become what the user sees: one line on
/// stderr (<c>error: ...</c>), never a stack trace, and the exit code of <see cref="ExitCodes"/>.
/// </summary>
internal static class CliErrors
{
    /// <summary>Prints <paramref name="exception"/> as one line and returns the exit code; <paramref name="signals"/> tells an interruption from a timeout.</summary>
    public static int Report(Exception exception, SignalCancellation? signals)
    {
        if (exception is OperationCanceledException && signals?.ExitCode is { } signalExit)
        {
            Console.Error.WriteLine(exception is CliInterruptedException ? $"interrupted: {OneLine(exception.Message)}" : "interrupted");
            return signalExit;
        }
        var (message, exitCode) = exception switch
        {
            CliException e => (e.Message, e.ExitCode),
            StorageException e => ($"storage: {e.Message}", ExitCodes.Failure),
            ModelLoadException e => (e.Message, ExitCodes.Failure),
            QuantizationException e => ($"cannot quantize: {e.Message}", ExitCodes.Failure),
            // A location that is not one (SourceUri.Parse says which and why).
            FormatException e => (e.Message, ExitCodes.Failure),
            HttpRequestException e => ($"HTTP: {e.Message}", ExitCodes.Failure),
            JsonException e => ($"not the JSON expected: {e.Message}", ExitCodes.Failure),
            IOException or UnauthorizedAccessException => (exception.Message, ExitCodes.Failure),
            // Anything else is a bug, but still no stack trace for the user: its type and message.
            _ => ($"{exception.GetType().Name}: {exception.Message}", ExitCodes.Failure),
        };
        Console.Error.WriteLine($"error: {OneLine(message)}");
        return exitCode;
    }

    /// <summary>A usage error: the parse errors on one line, with where to read the usage.</summary>
    public static string UsageLine(ParseResult parse)
    {
        var errors = string.Join("; ", parse.Errors.Select(e => OneLine(e.Message).TrimEnd('.')).Distinct());
        var command = string.Join(' ', CommandPath(parse.CommandResult.Command, parse.RootCommandResult.Command));
        return $"error: {errors} (see '{command} --help')";
    }

    /// <summary>Collapses line breaks and runs of blanks, so a message is one line whatever its source.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split((char[])['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));

    private static IEnumerable<string> CommandPath(Command command, Command root)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null && c != root; c = c.Parents.OfType<Command>().FirstOrDefault())
            names.Insert(0, c.Name);
        names.Insert(0, "serverless");
        return names;
    }
}
