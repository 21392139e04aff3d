using Microsoft.Extensions.Configuration;
using Serverless.Jobs;

namespace Serverless.Orchestrations.Tests.Host;

/// <summary>The dashboard names a job's model relative to the models root, never by the host's path.</summary>
public sealed class DashboardModelNameTests
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "models-root-" + Guid.NewGuid().ToString("N")[..6]);

    private readonly ModelsRoot directory =
        new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ModelsRoot.Setting] = Root }).Build());

    [Fact]
    public void A_stored_full_path_inside_the_root_is_shown_relative_to_it()
    {
        Assert.Equal("mnv2.onnx", directory.NameOf(Path.Combine(Root, "mnv2.onnx")));
        Assert.Equal("zoo/resnet50.onnx", directory.NameOf(Path.Combine(Root, "zoo", "resnet50.onnx")));
    }

    [Fact]
    public void A_path_outside_the_root_shows_only_its_file_name()
    {
        var outside = Path.Combine(Path.GetTempPath(), "elsewhere", "secret", "m.onnx");

        Assert.Equal("m.onnx", directory.NameOf(outside));
    }
}
