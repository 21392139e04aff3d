using System.Diagnostics;

namespace Serverless.TestSupport;

/// <summary>
/// Makes sure the npm packages of <c>local/</c> (azurite, s3rver) are installed, running
/// <c>local/install.sh</c> at most once per process when they are missing. install.sh itself
/// takes a file lock, so parallel test processes do not run <c>npm ci</c> twice.
/// </summary>
public static class LocalStackInstall
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool ranInstall;

    /// <summary>Path of azurite's entry script.</summary>
    public static string AzuriteScript => Path.Combine(RepoPaths.NodeModules, "azurite", "dist", "src", "azurite.js");

    /// <summary>Path of s3rver's entry script.</summary>
    public static string S3rverScript => Path.Combine(RepoPaths.NodeModules, "s3rver", "bin", "s3rver.js");

    /// <summary>Installs the packages if an entry script is missing; throws with npm's output on failure.</summary>
    public static async Task EnsureAsync(CancellationToken cancellationToken = default)
    {
        if (Installed())
        {
            return;
        }

        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Installed())
            {
                return;
            }

            if (ranInstall)
            {
                throw new InvalidOperationException(
                    $"local/install.sh ran but {AzuriteScript} or {S3rverScript} is still missing.");
            }

            ranInstall = true;
            var script = Path.Combine(RepoPaths.Local, "install.sh");
            var psi = new ProcessStartInfo("bash", [script])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = RepoPaths.Local,
            };
            using var process = Process.Start(psi)
                ?? throw new InvalidOperationException($"Could not start {script}.");
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0 || !Installed())
            {
                throw new InvalidOperationException(
                    $"{script} failed with exit code {process.ExitCode}:\n{await stdout.ConfigureAwait(false)}\n{await stderr.ConfigureAwait(false)}");
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private static bool Installed() => File.Exists(AzuriteScript) && File.Exists(S3rverScript);
}
