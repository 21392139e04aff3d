using System.Text;
using System.Text.Json.Nodes;
using Serverless.Infra.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests;

/// <summary>
/// The output of the Dockerfile's publish command is what its runtime stage needs: the
/// entrypoint assembly, host.json, and the Linux x64 native libraries of ONNX Runtime and
/// SkiaSharp where the .NET host looks for them (beside the assemblies).
/// </summary>
public sealed class DockerPublishTests(PublishedHostFixture published) : IClassFixture<PublishedHostFixture>
{
    [Fact]
    public void Publish_succeeds_and_writes_the_entrypoint_assembly_and_host_json()
    {
        Assert.True(published.Result.ExitCode == 0, $"dotnet {string.Join(' ', published.Command.Arguments)} failed: {published.Result.Describe()}");
        var entrypointDll = Dockerfile.Load().Stages[^1].Last("ENTRYPOINT")!.ExecForm()[1];
        var stem = Path.GetFileNameWithoutExtension(entrypointDll);

        foreach (var file in new[] { entrypointDll, $"{stem}.runtimeconfig.json", $"{stem}.deps.json", "host.json" })
        {
            Assert.True(File.Exists(Path.Combine(published.OutputPath, file)), $"{file} is not in the publish output");
        }

        Assert.Equal(
            File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json")),
            File.ReadAllText(Path.Combine(published.OutputPath, "host.json")));
    }

    [Theory]
    [InlineData("libonnxruntime.so")]
    [InlineData("libSkiaSharp.so")]
    public void Native_libraries_for_linux_x64_sit_beside_the_assemblies(string library)
    {
        var path = Path.Combine(published.OutputPath, library);

        Assert.True(File.Exists(path), $"{library} is not at the root of the publish output; found: {string.Join(", ", NativeLibraries())}");
        // An x86-64 ELF shared object: magic, 64-bit class, e_machine 0x3E.
        var header = File.ReadAllBytes(path).AsSpan(0, 20).ToArray();
        Assert.Equal("\u007fELF"u8.ToArray(), header[..4]);
        Assert.Equal(2, header[4]);
        Assert.Equal(0x3E, BitConverter.ToUInt16(header, 18));
    }

    [Fact]
    public void SkiaSharp_is_the_build_without_a_fontconfig_dependency()
    {
        // The aspnet image has no libfontconfig: the NoDependencies asset must be the one published.
        var bytes = File.ReadAllBytes(Path.Combine(published.OutputPath, "libSkiaSharp.so"));

        Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes("libfontconfig.so")));
    }

    [Fact]
    public void Only_the_images_platform_is_published()
    {
        Assert.False(Directory.Exists(Path.Combine(published.OutputPath, "runtimes")),
            $"runtimes/ holds other platforms' libraries: {string.Join(", ", NativeLibraries())}");
    }

    [Fact]
    public void The_app_needs_only_frameworks_the_aspnet_image_carries()
    {
        var entrypointDll = Dockerfile.Load().Stages[^1].Last("ENTRYPOINT")!.ExecForm()[1];
        var runtimeConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(
            published.OutputPath, $"{Path.GetFileNameWithoutExtension(entrypointDll)}.runtimeconfig.json")))!;
        var options = runtimeConfig["runtimeOptions"]!;
        var frameworks = (options["frameworks"] as JsonArray)?.Select(f => f!) ?? [options["framework"]!];
        var imageTag = Dockerfile.Load().Stages[^1].Image.Split(':')[1];

        Assert.All(frameworks, framework =>
        {
            Assert.Contains((string)framework["name"]!, new[] { "Microsoft.NETCore.App", "Microsoft.AspNetCore.App" });
            Assert.StartsWith(imageTag + ".", (string)framework["version"]!);
        });
    }

    [Fact]
    public void The_published_host_knows_every_option_the_image_and_the_pods_pass_it()
    {
        var dockerfile = Dockerfile.Load();
        var dll = Path.Combine(published.OutputPath, dockerfile.Stages[^1].Last("ENTRYPOINT")!.ExecForm()[1]);
        var commandLines = new List<IReadOnlyList<string>> { dockerfile.Stages[^1].Last("CMD")!.ExecForm() };
        commandLines.AddRange(Kubectl.Render("base").OfKind("Deployment")
            .Select(d => d.Containers.Single()["args"]!.AsArray().Select(a => (string)a!).ToList()));

        foreach (var commandLine in commandLines)
        {
            // `<command> --help` lists the command's options; every option passed must be one.
            var help = ProcessRunner.Run("dotnet", [dll, commandLine[0], "--help"], published.OutputPath, TimeSpan.FromMinutes(1));
            Assert.True(help.ExitCode == 0, $"{commandLine[0]} --help: {help.Describe()}");
            Assert.All(commandLine.Where(a => a.StartsWith("--", StringComparison.Ordinal)), option => Assert.Contains(option, help.StandardOutput));
        }

        // The build stage bakes a model with make-model when MODEL is set.
        var makeModel = ProcessRunner.Run("dotnet", [dll, "make-model", "--help"], published.OutputPath, TimeSpan.FromMinutes(1));
        Assert.True(makeModel.ExitCode == 0 && makeModel.StandardOutput.Contains("--out"), makeModel.Describe());
    }

    private IEnumerable<string> NativeLibraries() =>
        Directory.Exists(published.OutputPath)
            ? Directory.EnumerateFiles(published.OutputPath, "*.so", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(published.OutputPath, f))
            : [];
}
