using Microsoft.Playwright;

namespace Serverless.EndToEnd.Tests.Support;

/// <summary>
/// A started `serverless host` and a headless chromium (<see cref="Chromium"/>), ended together: what
/// each dashboard test fixture holds. Its tabs are fresh browser contexts on the host.
/// </summary>
public sealed class HostBrowser : IAsyncDisposable
{
    private readonly IPlaywright playwright;
    private readonly IBrowser browser;

    private HostBrowser(HostProcess host, IPlaywright playwright, IBrowser browser)
    {
        Host = host;
        this.playwright = playwright;
        this.browser = browser;
    }

    public HostProcess Host { get; }

    /// <summary>Launches chromium beside <paramref name="host"/>; when it cannot start, the host is stopped too.</summary>
    public static async Task<HostBrowser> StartAsync(HostProcess host)
    {
        try
        {
            var (playwright, browser) = await Chromium.LaunchAsync();
            return new HostBrowser(host, playwright, browser);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>A fresh browser tab (its own sessionStorage) on the host.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 }, BaseURL = Host.BaseUrl.ToString() });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        await Host.DisposeAsync();
    }
}
