using System.CommandLine;

namespace Serverless.Host.Cli;

/// <summary>The `serverless` command: one executable, verb-noun subcommands.</summary>
public static class CommandLine
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("Serverless batch image classification with ONNX models.");
        return root.Parse(args).Invoke();
    }
}
