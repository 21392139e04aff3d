namespace Serverless.Bench;

/// <summary>Where the repository, the shared datasets and the benchmark's scratch folder are.</summary>
internal static class BenchPaths
{
    /// <summary>The repository root: the first folder above the executable (or the working directory) holding Serverless.sln.</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The 200 sample photographs (used in place, never copied into the repository).</summary>
    public static string Photos => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "datasets", "imagenet-sample-200"));

    /// <summary>ImageNet class names for the generated models' labels.</summary>
    public static string ClassesTsv => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "datasets", "imagenet-classes.tsv"));

    /// <summary>Scratch folder (ignored by git): generated models, copied images, emulator data.</summary>
    public static string Work
    {
        get
        {
            var dir = Path.Combine(RepoRoot, ".work", "bench");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Serverless.sln not found above the executable or the working directory.");
    }

    /// <summary>Deletes a run's data folder; one still held open (an emulator slow to exit) is only reported.</summary>
    public static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException e)
        {
            Report.Log($"could not delete {folder}: {e.Message}");
        }
    }
}
