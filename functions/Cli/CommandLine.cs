using System.CommandLine;

namespace Serverless.Cli;

/// <summary>
/// The `serverless` command: one executable, verb-noun subcommands (kubectl style). A usage error
/// is one line and exit 2, before anything runs; every other failure of a client command is one
/// line too (<see cref="CliErrors"/>); Ctrl+C stops a client command with 130 (<see cref="SignalCancellation"/>).
/// </summary>
public static class CommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Parse(args);
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine(CliErrors.UsageLine(parse));
            return ExitCodes.Usage;
        }
        // The host stops on SIGTERM and Ctrl+C by itself (draining its workers), and a crash of it keeps
        // its stack trace for the log: neither our signal handling nor our one-line errors there.
        var host = parse.CommandResult.Command.Name == HostCommand.Name;
        using var signals = host ? null : new SignalCancellation();
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = host }, signals?.Token ?? CancellationToken.None);
        }
        catch (Exception e)
        {
            return CliErrors.Report(e, signals);
        }
    }

    /// <summary>Parses a command line (no action runs).</summary>
    internal static ParseResult Parse(string[] args) => Root().Parse(args);

    private static RootCommand Root() => new("Serverless batch image classification with ONNX models.")
    {
        ClassifyCommand.Create(),
        MakeModelCommand.Create(),
        QuantizeCommand.Create(),
        InspectModelCommand.Create(),
        MakeImagesCommand.Create(),
        HostCommand.Create(),
        SubmitCommand.Create(),
        RerunCommand.Create(),
        PriorityCommand.Create(),
        StatusCommands.Status(),
        StatusCommands.Jobs(),
        ResultsCommand.Create(),
        ManageCommands.Terminate(),
        ManageCommands.Purge(),
        TenantCommands.Create(),
        KeyCommands.Create(),
    };
}
