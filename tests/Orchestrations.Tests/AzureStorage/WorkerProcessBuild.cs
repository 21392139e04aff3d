using System.Diagnostics;
using Serverless.TestSupport;

namespace Serverless.Orchestrations.Tests.AzureStorage;

/// <summary>
/// Finds the built tests/WorkerProcess beside this test assembly's output (a solution build
/// builds it), building it with the same configuration and output slot when it is missing.
/// </summary>
internal static class WorkerProcessBuild
{
    private static readonly Lazy<string> Path_ = new(Locate);

    public static string DllPath => Path_.Value;

    private static string Locate()
    {
        // Output layout: <artifacts>/bin/<Project>/<configuration>/
        var ownDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = ownDirectory.Name;
        var binDirectory = ownDirectory.Parent!.Parent!.FullName;
        var dll = Path.Combine(binDirectory, "Serverless.WorkerProcess", configuration, "Serverless.WorkerProcess.dll");
        if (File.Exists(dll))
            return dll;

        var project = Path.Combine(RepoPaths.Root, "tests", "WorkerProcess", "Serverless.WorkerProcess.csproj");
        var build = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "build", project, "-c", configuration.Equals("release", StringComparison.OrdinalIgnoreCase) ? "Release" : "Debug", "--nologo", "-v", "q" })
            build.ArgumentList.Add(arg);
        using var process = Process.Start(build)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(dll))
            throw new InvalidOperationException($"Building {project} failed or did not produce {dll}:\n{output.Result}\n{error.Result}");
        return dll;
    }
}
