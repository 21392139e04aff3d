using System.Diagnostics;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>The README's run command (local/demo.sh) end to end, on free ports and a private stack folder.</summary>
public sealed class DemoScriptTests
{
    [Fact]
    public async Task The_demo_runs_a_job_and_hands_its_output_back_when_it_returns()
    {
        using var state = new TempDir("demo");
        var ports = FreePort.Next(5);
        var environment = new Dictionary<string, string>
        {
            ["STACK_DIR"] = state.Path,
            ["AZURITE_BLOB_PORT"] = ports[0].ToString(),
            ["AZURITE_QUEUE_PORT"] = ports[1].ToString(),
            ["AZURITE_TABLE_PORT"] = ports[2].ToString(),
            ["S3RVER_PORT"] = ports[3].ToString(),
            ["PORT"] = ports[4].ToString(),
        };
        try
        {
            using var demo = Start("demo.sh", [], environment);
            // Read the way `out=$(local/demo.sh)` does: until every writer has closed the pipe.
            var output = demo.StandardOutput.ReadToEndAsync();
            var errors = demo.StandardError.ReadToEndAsync();
            await demo.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            var closed = await Task.WhenAny(Task.WhenAll(output, errors), Task.Delay(TimeSpan.FromSeconds(15)));

            Assert.True(closed != null && output.IsCompleted && errors.IsCompleted,
                "the demo returned but something it started still holds its output open");
            Assert.True(demo.ExitCode == 0, await output + await errors);
            var text = await output;
            Assert.Contains(": Completed", text);
            Assert.Contains("images: 300", text);
            Assert.Contains("== first predictions", text);
            Assert.Contains("/dashboard (it asks for the key)", text);
            Assert.Equal(3, text.Split('\n').Count(line => line.StartsWith("{\"key\":\"synthetic/", StringComparison.Ordinal)));
            // The key is in a file only its owner reads, named in the output; the key itself never printed.
            var keyFile = Path.Combine(RepoPaths.Work, "demo.key");
            var key = (await File.ReadAllTextAsync(keyFile)).Trim();
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            Assert.Contains(keyFile, text);
            Assert.DoesNotContain(key, text + await errors);

            await StopAsync(environment);
            // `stop` stopped the host itself, not only a shell around it: nothing answers on its port.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await Assert.ThrowsAnyAsync<Exception>(() => http.GetAsync($"http://127.0.0.1:{ports[4]}/healthz"));
        }
        finally
        {
            await StopAsync(environment);
        }
    }

    private static async Task StopAsync(IReadOnlyDictionary<string, string> environment)
    {
        using var stop = Start("demo.sh", ["stop"], environment);
        await stop.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
    }

    private static Process Start(string script, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        psi.ArgumentList.Add(Path.Combine(RepoPaths.Local, script));
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        foreach (var (key, value) in environment)
            psi.Environment[key] = value;
        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start {script}");
    }
}
