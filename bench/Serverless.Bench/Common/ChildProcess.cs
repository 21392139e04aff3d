using System.Diagnostics;

namespace Serverless.Bench;

/// <summary>Runs this harness again in a child process (a clean process for memory figures) and parses its key=value lines.</summary>
internal static class ChildProcess
{
    public static async Task<IReadOnlyDictionary<string, string>> RunBenchAsync(IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        Report.Log($"child: {string.Join(' ', args)}");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the child benchmark.");
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"child benchmark '{string.Join(' ', args)}' exited {process.ExitCode}.");
        }

        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1].Trim());
    }
}
