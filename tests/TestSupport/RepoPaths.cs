namespace Serverless.TestSupport;

/// <summary>
/// Well-known paths of the checkout, found from the test assembly's location by walking up to
/// the folder that holds <c>Serverless.sln</c>, so tests work from any output folder.
/// </summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The repository root (the folder with <c>Serverless.sln</c>).</summary>
    public static string Root => RootLazy.Value;

    /// <summary>The shared datasets folder beside the checkout: <c>&lt;root&gt;/../shared/datasets</c>.</summary>
    public static string Datasets => Path.GetFullPath(Path.Combine(Root, "..", "shared", "datasets"));

    /// <summary>The 200 sample photographs (label in the file name).</summary>
    public static string ImagenetSample200 => Path.Combine(Datasets, "imagenet-sample-200");

    /// <summary>The ImageNet class list: index, wnid, name, tab separated.</summary>
    public static string ImagenetClassesTsv => Path.Combine(Datasets, "imagenet-classes.tsv");

    /// <summary>The <c>local/</c> folder with the stack scripts and npm packages.</summary>
    public static string Local => Path.Combine(Root, "local");

    /// <summary><c>local/node_modules</c>, where azurite and s3rver are installed.</summary>
    public static string NodeModules => Path.Combine(Local, "node_modules");

    /// <summary><c>local/node_modules/.bin</c>.</summary>
    public static string NodeBin => Path.Combine(NodeModules, ".bin");

    /// <summary>The repository's git-ignored working folder <c>.work/</c>.</summary>
    public static string Work => Path.Combine(Root, ".work");

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException(
            $"Serverless.sln not found above {AppContext.BaseDirectory} or {Directory.GetCurrentDirectory()}.");
    }
}
