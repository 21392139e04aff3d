namespace Serverless.Cli;

/// <summary>A failure the user can act on: <see cref="CliErrors"/> prints its message as one line and exits with <see cref="ExitCode"/>.</summary>
internal class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The command stopped on Ctrl+C with something to tell (a followed job keeps running).</summary>
internal sealed class CliInterruptedException(string message) : OperationCanceledException(message);
