using System.Text.Json;
using Microsoft.Playwright;
using Serverless.EndToEnd.Tests.Support;
using Serverless.ModelZoo;
using Serverless.Storage;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Dashboard;

/// <summary>
/// What the dashboard's tests share, made once: a `serverless host` (role all) on a hub of its
/// own, with small pages so a job has several progress samples; a finished job of photographs,
/// synthetic colour images and the bad files (one per reason code), and a second, one-image job
/// submitted after it; two dropped images and a bad one, dropped before the host starts; and a headless chromium.
/// </summary>
public sealed class DashboardRun : IAsyncDisposable
{
    public const string Hub = "Dashboard";
    public const string SourcePrefix = "dashboard/";
    public const string Output = $"s3://{JobStack.Bucket}/results/dashboard";
    public const int PageSize = 10;
    public const int BatchSize = 4;
    public const string DropSource = "s3://drops/dashboard/in/";
    public const string DropResults = "s3://drops/dashboard/out/";

    private readonly HostBrowser started;

    private DashboardRun(JobStack stack, HostBrowser started)
    {
        Stack = stack;
        this.started = started;
    }

    public JobStack Stack { get; }
    public HostProcess Host => started.Host;

    /// <summary>The main job's id and its final status (HTTP API).</summary>
    public string JobId { get; private set; } = "";
    public JsonElement Status { get; private set; }

    /// <summary>The one-image job submitted after the main one.</summary>
    public string LaterJobId { get; private set; } = "";

    /// <summary>The main job's source keys, and the reason code each bad one must get.</summary>
    public IReadOnlyList<string> Keys { get; private set; } = [];
    public IReadOnlyDictionary<string, string> BadKeys { get; private set; } = new Dictionary<string, string>();

    /// <summary>Where the screenshots go: the test output folder.</summary>
    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public static async Task<DashboardRun> StartAsync(JobStack stack)
    {
        using var folder = new TempDir("dashboard-images");
        foreach (var photo in Directory.GetFiles(RepoPaths.ImagenetSample200).Order(StringComparer.Ordinal).Take(24))
            File.Copy(photo, Path.Combine(folder.Path, Path.GetFileName(photo)));
        SyntheticImages.Write(folder.Path, 24, seed: 19, minSize: 48, maxSize: 96);
        var bad = BadFiles.Write(folder.Path, Directory.GetFiles(RepoPaths.ImagenetSample200).Order(StringComparer.Ordinal).First());
        await stack.UploadFolderAsync(folder.Path, $"s3://{JobStack.Bucket}/{SourcePrefix}");
        await ResultStoreFactory.Create($"s3://{JobStack.Bucket}/dashboard-one/", stack.Connections)
            .WriteAsync("one.png", SyntheticImages.Encode(new SkiaSharp.SKColor(200, 30, 30), 40, 40, new Random(2), png: true));

        // Dropped before the host watches: its first listing takes them whole. s3rver lists an object while
        // its PUT is still writing it (empty, the empty MD5 as its ETag), a version the watcher may classify too.
        var drops = ResultStoreFactory.Create(DropSource, stack.Connections);
        await drops.WriteAsync("red.png", SyntheticImages.Encode(new SkiaSharp.SKColor(220, 20, 20), 48, 48, new Random(3), png: true));
        await drops.WriteAsync("blue.png", SyntheticImages.Encode(new SkiaSharp.SKColor(20, 20, 220), 48, 48, new Random(4), png: true));
        await drops.WriteAsync("broken.jpg", "not an image"u8.ToArray());

        var host = await HostProcess.StartAsync("all", stack.HostEnvironment(Hub, new Dictionary<string, string>
        {
            ["batchInference__pageSize"] = PageSize.ToString(),
            ["telemetry__taskHubInterval"] = "00:00:01",
            ["drops__pollInterval"] = "00:00:00.500",
            ["drops__locations__0__source"] = DropSource,
            ["drops__locations__0__results"] = DropResults,
            ["drops__locations__0__model"] = stack.DominantColor,
        }));
        var started = await HostBrowser.StartAsync(host);
        try
        {
            var run = new DashboardRun(stack, started)
            {
                Keys = Directory.GetFiles(folder.Path).Select(f => SourcePrefix + Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray(),
                BadKeys = bad.ToDictionary(p => SourcePrefix + p.Key, p => p.Value),
            };
            await run.RunJobsAsync();
            return run;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    private async Task RunJobsAsync()
    {
        using var jobs = new JobsHttp(Host.BaseUrl);
        JobId = await jobs.SubmitAsync(new
        {
            id = "dashboard-job",
            source = $"s3://{JobStack.Bucket}/{SourcePrefix}",
            model = Stack.DominantColor,
            batchSize = BatchSize,
            output = Output,
        });
        // Created after the first: the list shows it first.
        await Task.Delay(1100);
        LaterJobId = await jobs.SubmitAsync(new { id = "dashboard-later", source = $"s3://{JobStack.Bucket}/dashboard-one/", model = Stack.DominantColor, output = $"s3://{JobStack.Bucket}/results/dashboard-later" });
        Status = await jobs.WaitAsync(JobId, TimeSpan.FromMinutes(3), () => Host.OutputTail);
        Assert.Equal("Completed", Status.GetProperty("runtimeStatus").GetString());
        var later = await jobs.WaitAsync(LaterJobId, TimeSpan.FromMinutes(2), () => Host.OutputTail);
        Assert.Equal("Completed", later.GetProperty("runtimeStatus").GetString());
    }

    /// <summary>A fresh browser tab (its own sessionStorage) on the host.</summary>
    public Task<IPage> NewPageAsync() => started.NewPageAsync();

    /// <summary>Saves a full-page screenshot into <see cref="Screenshots"/> and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(Screenshots, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public ValueTask DisposeAsync() => started.DisposeAsync();
}

/// <summary>Starts the <see cref="DashboardRun"/> with the first test that asks, and ends it after the last test of the class.</summary>
public sealed class DashboardFixture() : LazyRunFixture<DashboardRun>(DashboardRun.StartAsync);
