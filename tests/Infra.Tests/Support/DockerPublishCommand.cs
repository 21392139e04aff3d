namespace Serverless.Infra.Tests.Support;

/// <summary>The <c>dotnet publish</c> command of the Dockerfile's build stage, ARGs expanded.</summary>
public sealed record DockerPublishCommand(IReadOnlyList<string> Arguments, string ProjectPath, string OutputPath)
{
    public static DockerPublishCommand FromDockerfile(Dockerfile dockerfile)
    {
        var build = dockerfile.Stage("build");
        var run = build.All("RUN").Single(r => r.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        var command = Dockerfile.Expand(run.Arguments, build.Args);
        // Tokens from "publish" to the end of that shell command.
        var tokens = command[(command.IndexOf("dotnet publish", StringComparison.Ordinal) + "dotnet ".Length)..]
            .Split("&&")[0]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var output = tokens[Array.IndexOf(tokens, "-o") + 1];
        return new DockerPublishCommand(tokens, tokens[1], output);
    }

    /// <summary>The same command with the output redirected to <paramref name="outputPath"/>.</summary>
    public IReadOnlyList<string> WithOutput(string outputPath) =>
        Arguments.Select(a => a == OutputPath ? outputPath : a).ToList();
}
