using Microsoft.Playwright;

namespace Serverless.EndToEnd.Tests.Support;

/// <summary>
/// Debian's chromium (installed by local/install-browser.sh), driven by Playwright: never a browser
/// Playwright downloads. The flags are those this machine's closed network needs.
/// </summary>
public static class Chromium
{
    /// <summary>The browser executable: <c>CHROMIUM_PATH</c>, else Debian's.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Starts Playwright and a headless chromium; fails (never skips) when chromium is missing.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"chromium is not at {ExecutablePath}: run local/install-browser.sh (apt-get install chromium), or set CHROMIUM_PATH.");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                ],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}
