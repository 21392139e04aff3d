using System.Collections.Concurrent;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests.Support;

/// <summary>
/// Renders kustomize directories with the machine's <c>kubectl kustomize</c> (the same
/// renderer <c>kubectl apply -k</c> uses), once per directory per test run.
/// </summary>
public static class Kubectl
{
    private static readonly ConcurrentDictionary<string, Lazy<RenderedSet>> Renders = new();

    /// <summary>The kubectl executable, or null when it is not installed.</summary>
    public static string? Path { get; } = ProcessRunner.FindOnPath("kubectl");

    /// <summary>Why kubectl tests are skipped; null when kubectl is present.</summary>
    public static string? SkipReason => Path is null
        ? "kubectl is not on PATH: install it (it carries kustomize v5) to check the manifests under infra/k8s."
        : null;

    /// <summary>The kustomize root folders under infra/k8s, relative to it.</summary>
    public static IReadOnlyList<string> Overlays { get; } = ["overlays/onprem", "overlays/azure"];

    /// <summary>The rendered resources of <c>infra/k8s/&lt;directory&gt;</c>.</summary>
    public static RenderedSet Render(string directory) =>
        Renders.GetOrAdd(directory, d => new Lazy<RenderedSet>(() => RenderNow(d))).Value;

    private static RenderedSet RenderNow(string directory)
    {
        var kubectl = Path ?? throw new InvalidOperationException(SkipReason);
        var full = System.IO.Path.Combine(RepoPaths.Root, "infra", "k8s", directory);
        var result = ProcessRunner.Run(kubectl, ["kustomize", full], RepoPaths.Root, TimeSpan.FromMinutes(1));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {directory} failed: {result.Describe()}");
        }

        return RenderedSet.Parse(result.StandardOutput);
    }
}
