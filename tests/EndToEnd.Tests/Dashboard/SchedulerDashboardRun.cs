using System.Net;
using Microsoft.Playwright;
using Serverless.EndToEnd.Tests.Support;
using Serverless.EndToEnd.Tests.Tenants;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Dashboard;

/// <summary>
/// What the scheduler's dashboard and metrics tests share, made once: a `serverless host` (role all)
/// with the scheduler on, on a hub of its own; 1,000 photographs under <see cref="SourcePrefix"/> (long
/// enough a job of MobileNetV2 in batches of one for a scrape to find its units running); and a
/// headless chromium. Each test makes its own tenant (a quota of one running job) and jobs.
/// </summary>
public sealed class SchedulerDashboardRun : IAsyncDisposable
{
    public const string Hub = "DashSched";
    public const string SourcePrefix = "sched/";
    public const int Copies = 5;

    /// <summary>The host's settings: the scheduler on (as by default), as host.json ships it otherwise.</summary>
    public static IReadOnlyDictionary<string, string> SchedulerSettings { get; } = new Dictionary<string, string>
    {
        ["scheduling__enabled"] = "true",
        ["telemetry__taskHubInterval"] = "00:00:01",
    };

    private readonly HostBrowser started;

    private SchedulerDashboardRun(JobStack stack, HostBrowser started)
    {
        Stack = stack;
        this.started = started;
    }

    public JobStack Stack { get; }
    public HostProcess Host => started.Host;

    public static string Source => $"s3://{JobStack.Bucket}/{SourcePrefix}";

    public static async Task<SchedulerDashboardRun> StartAsync(JobStack stack)
    {
        using (var folder = new TempDir("sched-images"))
        {
            foreach (var photo in Directory.GetFiles(RepoPaths.ImagenetSample200))
                for (var copy = 0; copy < Copies; copy++)
                    File.Copy(photo, Path.Combine(folder.Path, $"{copy}-{Path.GetFileName(photo)}"));
            await stack.UploadFolderAsync(folder.Path, Source);
        }
        var host = await HostProcess.StartAsync("all", stack.HostEnvironment(Hub, SchedulerSettings));
        return new SchedulerDashboardRun(stack, await HostBrowser.StartAsync(host));
    }

    /// <summary>
    /// A tenant allowed the photographs and a results folder, with a quota of one running job; returns
    /// its admin's and its submitter's keys.
    /// </summary>
    public async Task<(string Admin, string Submitter)> TenantAsync(string name)
    {
        using var master = new JobsHttp(Host.BaseUrl);
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await master.SendAsync(TenantAdminTests.Put($"api/tenants/{name}", new
        {
            allowSources = new[] { Source + "*" },
            allowOutputs = new[] { $"s3://{JobStack.Bucket}/results/{name}/*" },
            modelsDir = "models",
            maxRunningJobs = 1,
        })));
        var (_, admin) = await TenantAdminTests.CreateKeyAsync(master, name, "admin");
        var (_, submitter) = await TenantAdminTests.CreateKeyAsync(master, name, "submitter");
        return (admin, submitter);
    }

    /// <summary>A job of the tenant over the photographs: MobileNetV2 in batches of one, minutes of work on a busy machine.</summary>
    public object Job(string tenant, string id, string priority) => new
    {
        id,
        source = Source,
        model = Stack.MobileNet,
        batchSize = 1,
        priority,
        output = $"s3://{JobStack.Bucket}/results/{tenant}/{id}",
    };

    /// <summary>Terminates jobs left running (the host's workers are shared by the tests that follow).</summary>
    public async Task TerminateAsync(params string[] ids)
    {
        using var master = new JobsHttp(Host.BaseUrl);
        foreach (var id in ids)
            (await master.PostJsonAsync($"api/jobs/{id}/terminate?reason=test%20done", new { })).Dispose();
    }

    /// <summary>A fresh browser tab (its own sessionStorage) on the host.</summary>
    public Task<IPage> NewPageAsync() => started.NewPageAsync();

    public ValueTask DisposeAsync() => started.DisposeAsync();
}

/// <summary>Starts the <see cref="SchedulerDashboardRun"/> with the first test that asks, and ends it after the last test of the class.</summary>
public sealed class SchedulerDashboardFixture() : LazyRunFixture<SchedulerDashboardRun>(SchedulerDashboardRun.StartAsync);
