using Serverless.Infra.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests;

/// <summary>
/// What <c>infra/Dockerfile</c> references exists in the repository and reaches the build
/// through <c>.dockerignore</c>; its runtime settings agree with the host and the manifests.
/// (Nothing here builds the image: CI has no container engine. The publish it runs is
/// checked by <see cref="DockerPublishTests"/>.)
/// </summary>
public sealed class DockerfileTests
{
    private readonly Dockerfile dockerfile = Dockerfile.Load();
    private readonly DockerIgnore dockerIgnore = DockerIgnore.Load();

    [Fact]
    public void Builds_with_the_sdk_and_runs_on_the_aspnet_runtime_of_the_target_framework()
    {
        var build = dockerfile.Stage("build");
        var runtime = dockerfile.Stages[^1];
        var targetFramework = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props"))
            .Descendants("TargetFramework").Single().Value;

        Assert.Equal($"mcr.microsoft.com/dotnet/sdk:{targetFramework["net".Length..]}", build.Image);
        Assert.Equal($"mcr.microsoft.com/dotnet/aspnet:{targetFramework["net".Length..]}", runtime.Image);
        Assert.Equal("runtime", runtime.Name);
    }

    [Fact]
    public void The_published_project_exists_and_the_entrypoint_is_its_assembly()
    {
        var publish = DockerPublishCommand.FromDockerfile(dockerfile);
        var project = Path.Combine(RepoPaths.Root, publish.ProjectPath);
        var entrypoint = dockerfile.Stages[^1].Last("ENTRYPOINT")!.ExecForm();

        Assert.True(File.Exists(project), $"{publish.ProjectPath} does not exist");
        Assert.Equal(["dotnet", $"{ProjectGraph.AssemblyName(project)}.dll"], entrypoint);
        Assert.Equal(publish.OutputPath, dockerfile.Stages[^1].Last("WORKDIR")!.Arguments);
    }

    [Fact]
    public void Everything_the_publish_reads_passes_the_dockerignore()
    {
        var publish = DockerPublishCommand.FromDockerfile(dockerfile);
        Assert.Contains(dockerfile.Stage("build").All("COPY"), c => c.Arguments == ". .");

        var needed = new List<string> { "Directory.Build.props", "Directory.Packages.props", "host.json" };
        foreach (var project in ProjectGraph.Closure(Path.Combine(RepoPaths.Root, publish.ProjectPath)))
        {
            var folder = Path.GetDirectoryName(project)!;
            needed.Add(Path.GetRelativePath(RepoPaths.Root, project));
            needed.AddRange(Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(RepoPaths.Root, f))
                .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/")));
        }

        Assert.All(needed, file => Assert.True(File.Exists(Path.Combine(RepoPaths.Root, file)), $"{file} is missing"));
        var excluded = needed.Where(f => !dockerIgnore.IsIncluded(f)).ToList();
        Assert.True(excluded.Count == 0, $".dockerignore leaves out files the publish needs: {string.Join(", ", excluded)}");
    }

    [Theory]
    [InlineData("artifacts/bin/Serverless.Cli/release/serverless.dll")]
    [InlineData("tests/Infra.Tests/DockerfileTests.cs")]
    [InlineData("local/node_modules/azurite/package.json")]
    [InlineData(".git/HEAD")]
    [InlineData("functions/Cli/obj/project.assets.json")]
    [InlineData("functions/Cli/bin/Release/serverless.dll")]
    public void Build_outputs_tests_and_local_state_stay_out_of_the_context(string path)
    {
        Assert.False(dockerIgnore.IsIncluded(path));
    }

    [Fact]
    public void Copies_between_stages_take_what_the_earlier_stage_made()
    {
        var publish = DockerPublishCommand.FromDockerfile(dockerfile);
        var copies = dockerfile.Stages[^1].All("COPY").Where(c => c.Arguments.StartsWith("--from=", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(copies);
        foreach (var copy in copies)
        {
            var parts = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var stage = dockerfile.Stage(parts[0]["--from=".Length..]);
            var source = parts[1];
            // Made by the publish (-o) or created by a RUN in that stage.
            var made = source == publish.OutputPath
                || stage.All("RUN").Any(r => r.Arguments.Contains($"mkdir -p {source}", StringComparison.Ordinal));
            Assert.True(made, $"COPY {copy.Arguments}: {source} is not made by stage {stage.Name}");
        }
    }

    [Fact]
    public void Runs_the_host_on_7071_with_a_healthz_check_as_a_numeric_non_root_user()
    {
        var runtime = dockerfile.Stages[^1];
        var env = string.Join(' ', runtime.All("ENV").Select(e => e.Arguments));
        var user = runtime.Last("USER")!.Arguments;
        var healthcheck = runtime.Last("HEALTHCHECK")!.Arguments;

        Assert.True(int.TryParse(user, out var uid) && uid > 0, $"USER {user} must be a non-zero UID (runAsNonRoot needs a number)");
        Assert.Contains("7071", runtime.Last("EXPOSE")!.Arguments);
        Assert.Contains("ASPNETCORE_HTTP_PORTS=7071", env);
        Assert.Contains("HOME=/tmp", env);
        Assert.Contains("TMPDIR=/tmp", env);
        Assert.Contains("/dev/tcp/127.0.0.1/7071", healthcheck);
        Assert.Contains("GET /healthz", healthcheck);
        Assert.Equal(["host", "--role", "all", "--port", "7071", "--bind", "0.0.0.0"], runtime.Last("CMD")!.ExecForm());
    }

    [Fact]
    public void A_model_build_argument_bakes_the_model_into_the_models_folder()
    {
        var build = dockerfile.Stage("build");

        Assert.Equal(string.Empty, build.Args["MODEL"]);
        Assert.Contains(build.All("RUN"), r => r.Arguments.Contains("make-model \"$MODEL\" --out \"/models/$MODEL.onnx\"", StringComparison.Ordinal));
        Assert.Contains(dockerfile.Stages[^1].All("COPY"), c => c.Arguments == "--from=build /models /models");
    }
}
