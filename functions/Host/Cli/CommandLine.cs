using System.CommandLine;

namespace Serverless.Host.Cli;

/// <summary>The `serverless` command: one executable, verb-noun subcommands (kubectl style).</summary>
public static class CommandLine
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("Serverless batch image classification with ONNX models.")
        {
            ClassifyCommand.Create(),
            MakeModelCommand.Create(),
            InspectModelCommand.Create(),
            MakeImagesCommand.Create(),
            HostCommand.Create(),
            SubmitCommand.Create(),
            StatusCommands.Status(),
            StatusCommands.Jobs(),
            StatusCommands.Results(),
        };
        return root.Parse(args).Invoke();
    }
}
