using Serverless.Infra.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests;

/// <summary>
/// Runs the Dockerfile's own <c>dotnet publish</c> command once, into a temporary folder, with
/// a private ArtifactsPath so it does not share obj/ with builds running beside it.
/// </summary>
public sealed class PublishedHostFixture : IDisposable
{
    private readonly TempDir temp = new("infra-publish");

    public PublishedHostFixture()
    {
        Command = DockerPublishCommand.FromDockerfile(Dockerfile.Load());
        OutputPath = temp.Combine("app");
        var arguments = Command.WithOutput(OutputPath)
            .Concat([$"-p:ArtifactsPath={temp.Combine("artifacts")}", "-nologo", "-v:q", "-clp:ErrorsOnly"]);
        Result = ProcessRunner.Run("dotnet", arguments, RepoPaths.Root, TimeSpan.FromMinutes(8));
    }

    public DockerPublishCommand Command { get; }

    /// <summary>Where the publish wrote what the Dockerfile copies to /app.</summary>
    public string OutputPath { get; }

    public ProcessResult Result { get; }

    public void Dispose() => temp.Dispose();
}
