using System.Diagnostics;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Dashboard;

/// <summary>local/install-browser.sh, which local/test.sh (CI) runs before the browser tests: it installs only what is missing, and says why when it cannot.</summary>
public sealed class InstallBrowserScriptTests
{
    private static string Script => Path.Combine(RepoPaths.Local, "install-browser.sh");

    [Fact]
    public async Task A_browser_that_is_there_is_left_alone()
    {
        var (exit, output) = await RunAsync(new Dictionary<string, string> { ["CHROMIUM_PATH"] = "/bin/sh", ["PATH"] = "/nowhere" });
        Assert.True(exit == 0, output);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task A_missing_browser_without_apt_get_is_an_error_that_says_what_to_do()
    {
        var (exit, output) = await RunAsync(new Dictionary<string, string> { ["CHROMIUM_PATH"] = "/nowhere/chromium", ["PATH"] = "/nowhere" });
        Assert.Equal(1, exit);
        Assert.Contains("install chromium and set CHROMIUM_PATH", output);
    }

    private static async Task<(int Exit, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Script);
        foreach (var (name, value) in environment)
            psi.Environment[name] = value;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
