using Microsoft.Playwright;
using Serverless.EndToEnd.Tests.Support;
using Serverless.ModelZoo;
using Serverless.Storage;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Dashboard;

/// <summary>
/// What the dashboard's manifest, skipExisting and rerun tests share, made once: a `serverless host`
/// (role all) on a hub of its own, so their jobs never show in <see cref="DashboardRun"/>'s list; four
/// synthetic images under <see cref="Good"/>; under <see cref="Mixed"/> three more, a truncated JPEG
/// (<c>corrupt_image</c>) and a text file (<c>unsupported_format</c>); and a headless chromium.
/// </summary>
public sealed class DataDashboardRun : IAsyncDisposable
{
    public const string Hub = "DashData";
    public const string Good = "dashdata/good/";
    public const string Mixed = "dashdata/mixed/";

    private readonly HostBrowser started;

    private DataDashboardRun(JobStack stack, HostBrowser started, IReadOnlyList<string> goodKeys)
    {
        Stack = stack;
        this.started = started;
        GoodKeys = goodKeys;
    }

    public JobStack Stack { get; }
    public HostProcess Host => started.Host;

    /// <summary>The object keys (in the bucket) of the images under <see cref="Good"/>.</summary>
    public IReadOnlyList<string> GoodKeys { get; }

    public static string Location(string keyOrPrefix) => $"s3://{JobStack.Bucket}/{keyOrPrefix}";

    public static async Task<DataDashboardRun> StartAsync(JobStack stack)
    {
        string[] good;
        using (var folder = new TempDir("dashdata-good"))
        {
            SyntheticImages.Write(folder.Path, 4, seed: 41, minSize: 48, maxSize: 96);
            good = Directory.GetFiles(folder.Path).Select(f => Good + Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
            await stack.UploadFolderAsync(folder.Path, Location(Good));
        }
        using (var folder = new TempDir("dashdata-mixed"))
        {
            SyntheticImages.Write(folder.Path, 3, seed: 43, minSize: 48, maxSize: 96);
            var photo = await File.ReadAllBytesAsync(Directory.GetFiles(RepoPaths.ImagenetSample200).Order(StringComparer.Ordinal).First());
            await File.WriteAllBytesAsync(Path.Combine(folder.Path, "truncated.jpg"), photo[..(photo.Length / 3)]);
            await File.WriteAllTextAsync(Path.Combine(folder.Path, "notes.jpg"), "this is text with a .jpg name\n");
            await stack.UploadFolderAsync(folder.Path, Location(Mixed));
        }
        var host = await HostProcess.StartAsync("all", stack.HostEnvironment(Hub));
        return new DataDashboardRun(stack, await HostBrowser.StartAsync(host), good);
    }

    /// <summary>Writes <paramref name="text"/> as the object <paramref name="key"/> of the bucket; returns its location.</summary>
    public async Task<string> WriteAsync(string key, string text)
    {
        var slash = key.LastIndexOf('/');
        await ResultStoreFactory.Create(Location(key[..(slash + 1)]), Stack.Connections).WriteAsync(key[(slash + 1)..], System.Text.Encoding.UTF8.GetBytes(text));
        return Location(key);
    }

    /// <summary>A fresh browser tab (its own sessionStorage) on the host, signed in with <paramref name="key"/>.</summary>
    public async Task<IPage> SignedInPageAsync(string key = JobStack.FunctionKey)
    {
        var page = await started.NewPageAsync();
        await page.GotoAsync("dashboard");
        await page.Locator("#key-input").FillAsync(key);
        await page.Locator("#key-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#key-view")).ToBeHiddenAsync();
        return page;
    }

    public ValueTask DisposeAsync() => started.DisposeAsync();
}

/// <summary>Starts the <see cref="DataDashboardRun"/> with the first test that asks, and ends it after the last test of the class.</summary>
public sealed class DataDashboardFixture() : LazyRunFixture<DataDashboardRun>(DataDashboardRun.StartAsync);
