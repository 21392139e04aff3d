using Serverless.TestSupport;

namespace Serverless.Inference.Tests.Support;

/// <summary>The 200 sample photographs of the shared dataset, sorted by file name.</summary>
internal static class Photos
{
    private static readonly Lazy<string[]> Files = new(() =>
        Directory.GetFiles(RepoPaths.ImagenetSample200).Order(StringComparer.Ordinal).ToArray());

    public static IReadOnlyList<string> All => Files.Value;

    /// <summary>Every <paramref name="step"/>-th photo, for tests that must stay fast.</summary>
    public static IReadOnlyList<string> Every(int step) => All.Where((_, i) => i % step == 0).ToArray();
}
