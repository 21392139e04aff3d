using System.Collections.Concurrent;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests.Support;

/// <summary>
/// Renders kustomize directories with <c>kubectl kustomize</c> (the renderer <c>kubectl apply -k</c>
/// uses), once per directory per test run. The kubectl is the one local/install-kubectl.sh pins
/// (v1.33.9, kustomize v5.6.0) in .work/tools, or <c>KUBECTL</c>; a missing one fails the tests.
/// </summary>
public static class Kubectl
{
    private static readonly ConcurrentDictionary<string, Lazy<RenderedSet>> Renders = new();

    /// <summary>The kubectl executable: <c>KUBECTL</c>, else the one local/install-kubectl.sh installs.</summary>
    public static string Path { get; } =
        Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } overridden
            ? overridden
            : System.IO.Path.Combine(RepoPaths.Root, ".work", "tools", "kubectl");

    /// <summary>The overlays of the self-host (`serverless host`: serverless-api and serverless-worker).</summary>
    public static IReadOnlyList<string> SelfHostOverlays { get; } = ["overlays/onprem", "overlays/azure"];

    /// <summary>Every kustomize root under infra/k8s that is applied to a cluster, relative to it.</summary>
    public static IReadOnlyList<string> Overlays { get; } = [.. SelfHostOverlays, "overlays/functions-host", "overlays/onprem-nfs"];

    /// <summary>The rendered resources of <c>infra/k8s/&lt;directory&gt;</c>.</summary>
    public static RenderedSet Render(string directory) =>
        Renders.GetOrAdd(directory, d => new Lazy<RenderedSet>(() => RenderNow(d))).Value;

    /// <summary>The YAML text <c>kubectl kustomize</c> prints for <paramref name="directory"/> (a full path).</summary>
    public static string RenderText(string directory)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException(
                $"kubectl is not at {Path}: run local/install.sh (or local/install-kubectl.sh), or set KUBECTL.");
        }

        var result = ProcessRunner.Run(Path, ["kustomize", directory], RepoPaths.Root, TimeSpan.FromMinutes(1));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {directory} failed: {result.Describe()}");
        }

        return result.StandardOutput;
    }

    private static RenderedSet RenderNow(string directory) =>
        RenderedSet.Parse(RenderText(System.IO.Path.Combine(RepoPaths.Root, "infra", "k8s", directory)));
}
