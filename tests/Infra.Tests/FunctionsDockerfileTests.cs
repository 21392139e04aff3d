using Serverless.Infra.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests;

/// <summary>
/// infra/functions.Dockerfile, checked statically (CI has no container engine and the Functions
/// host cannot run here): the SDK and Functions host images of the target framework, the Functions
/// app's project published to the folder the host runs, a non-root user, and a build context
/// that lets the project in.
/// </summary>
public sealed class FunctionsDockerfileTests
{
    private const string ProjectPath = "functions/App/Serverless.App.csproj";
    private const string ScriptRoot = "/home/site/wwwroot";
    private readonly Dockerfile dockerfile = Dockerfile.LoadFunctions();

    private static string Framework => System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props"))
        .Descendants("TargetFramework").Single().Value["net".Length..];

    [Fact]
    public void Builds_with_the_sdk_and_runs_on_the_functions_isolated_host_of_the_target_framework()
    {
        Assert.Equal($"mcr.microsoft.com/dotnet/sdk:{Framework}", dockerfile.Stage("build").Image);
        Assert.Equal($"mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated{Framework}", dockerfile.Stages[^1].Image);
    }

    [Fact]
    public void Publishes_the_functions_app_to_the_folder_the_host_runs()
    {
        var publish = DockerPublishCommand.FromDockerfile(dockerfile);
        var runtime = dockerfile.Stages[^1];
        var env = string.Join(' ', runtime.All("ENV").Select(e => e.Arguments));

        Assert.Equal(ProjectPath, publish.ProjectPath);
        Assert.Equal(ScriptRoot, publish.OutputPath);
        Assert.Contains(runtime.All("COPY"), c => c.Arguments == $"--from=build {ScriptRoot} {ScriptRoot}");
        Assert.Contains($"AzureWebJobsScriptRoot={ScriptRoot}", env);
        Assert.Contains("FUNCTIONS_WORKER_RUNTIME=dotnet-isolated", env);
    }

    [Fact]
    public void Runs_as_a_numeric_non_root_user_with_home_on_the_writable_tmp()
    {
        var runtime = dockerfile.Stages[^1];
        var env = string.Join(' ', runtime.All("ENV").Select(e => e.Arguments));

        Assert.True(int.TryParse(runtime.Last("USER")?.Arguments, out var uid) && uid > 0, "USER must be a non-zero UID (runAsNonRoot needs a number)");
        Assert.Contains("HOME=/tmp", env);
        // A non-root process without NET_BIND_SERVICE cannot bind the image's default port 80.
        Assert.True(int.Parse(runtime.Last("EXPOSE")!.Arguments) >= 1024);
    }

    [Fact]
    public void The_build_context_lets_the_functions_app_and_its_references_in()
    {
        var dockerIgnore = DockerIgnore.Load();
        Assert.True(dockerIgnore.IsIncluded(ProjectPath), $".dockerignore leaves out {ProjectPath}");
        Assert.True(dockerIgnore.IsIncluded("functions/App/host.json"), ".dockerignore leaves out the app's host.json");

        // The project is the lead's (issue 15); once it is in the tree, everything it builds from must pass too.
        var project = Path.Combine(RepoPaths.Root, ProjectPath);
        if (!File.Exists(project))
            return;
        Assert.Equal("Serverless.App", ProjectGraph.AssemblyName(project));
        var excluded = ProjectGraph.Closure(project)
            .SelectMany(p => Directory.EnumerateFiles(Path.GetDirectoryName(p)!, "*.cs", SearchOption.AllDirectories).Append(p))
            .Select(f => Path.GetRelativePath(RepoPaths.Root, f))
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/") && !dockerIgnore.IsIncluded(f))
            .ToList();
        Assert.True(excluded.Count == 0, $".dockerignore leaves out files the Functions publish needs: {string.Join(", ", excluded)}");
    }
}
