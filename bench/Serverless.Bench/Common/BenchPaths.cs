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

    /// <summary>
    /// A new folder for the emulators' data: in memory (/dev/shm) where there is one. The emulators
    /// stand in for remote storage; on the same 2 cores, their disk writes were the noisiest part of
    /// a drop's CPU (s3rver 11.9 to 23.3 s over four back-to-back drops while the job's reads stayed at 7 to 8 s).
    /// </summary>
    public static string NewEmulatorData(string prefix)
    {
        var parent = Directory.Exists("/dev/shm") ? Path.Combine("/dev/shm", "serverless-bench") : Work;
        return Path.Combine(parent, prefix + "-" + Guid.NewGuid().ToString("N")[..8]);
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
