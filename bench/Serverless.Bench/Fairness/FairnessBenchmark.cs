using System.Diagnostics;
using System.Globalization;
using Serverless.TestSupport;

namespace Serverless.Bench;

/// <summary>
/// bench/run.sh fairness (issue 28 item 5): the job scheduler measured on real jobs of the
/// MobileNetV2-architecture model over the photographs repeated to N images (local folders), each
/// part on `serverless host` processes of its own on a fresh Azurite:
/// (a) a high-priority job submitted while a large low-priority job classifies, against the same
/// job alone on the idle host: <c>priority_slowdown</c>; (b) two tenants of equal weight
/// submitting at once: <c>tenant_share_ratio</c> of their images/s over the overlap; (c) one job
/// on a host with the scheduler against the same job on a host without it: <c>scheduler_overhead</c>.
/// </summary>
internal static class FairnessBenchmark
{
    private static readonly TimeSpan FastPoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SlowPoll = TimeSpan.FromSeconds(1);

    private sealed record Settings(int Low, int High, int Tenant, int Overhead, int Warmup, int Rounds, int? Slots, int? ImagesPerTask, TimeSpan Timeout, bool WatchScheduler, string Model, string Data);

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var low = args.Int("low-images", 20_000);
        var high = args.Int("high-images", 1_000);
        var tenant = args.Int("tenant-images", 5_000);
        var overhead = args.Int("overhead-images", 5_000);
        var warmup = args.Int("warmup-images", 400);
        var rounds = args.Int("overhead-rounds", 1);
        var slots = args.OptionalInt("slots");
        var perTask = args.OptionalInt("images-per-task");
        var timeout = TimeSpan.FromSeconds(args.Int("timeout", 900));
        var watch = args.Flag("watch-scheduler");
        var parts = args.String("parts", "a,b,c").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        args.RejectUnknown();
        if (parts.Length == 0 || parts.Any(p => p is not ("a" or "b" or "c")))
            throw new ArgumentException("--parts is a list of a, b and c (e.g. a,c)");
        if (new[] { low, high, tenant, overhead, warmup, rounds }.Any(n => n < 1))
            throw new ArgumentException("image counts and --overhead-rounds must be at least 1");

        var cpu = CpuLimits.Detect();
        Report.Value("cpu", cpu.Model);
        Report.Value("cpu_isa", cpu.Isa);
        Report.Value("cpu_ghz", cpu.Ghz, "0.00");
        Report.Value("cores", cpu.Cores);
        Report.Value("load_average_start", Sample.LoadAverage(), "0.00");
        Report.Value("model", "mobilenetv2");
        Report.Value("scheduling_slots", slots?.ToString(CultureInfo.InvariantCulture) ?? "default");
        if (perTask is { } p)
            Report.Value("images_per_task", p);

        var (model, _) = BenchModels.Ensure("mobilenetv2");
        var data = BenchPaths.NewEmulatorData("fair");
        var settings = new Settings(low, high, tenant, overhead, warmup, rounds, slots, perTask, timeout, watch, model, data);
        var failed = false;
        try
        {
            foreach (var part in parts)
            {
                try
                {
                    await (part switch { "a" => PriorityAsync(settings), "b" => TenantsAsync(settings), _ => OverheadAsync(settings) });
                }
                catch (Exception e) when (e is not ArgumentException)
                {
                    // A part that fails (a job stuck waiting, a host that died) leaves the others to run; the exit code says so.
                    Report.Log($"part {part} failed: {e}");
                    failed = true;
                }
            }
        }
        finally
        {
            BenchPaths.DeleteQuietly(data);
        }
        Report.Value("load_average", Sample.LoadAverage(), "0.00");
        return failed ? 1 : 0;
    }

    /// <summary>(a) The high-priority job alone on the warmed host, then behind a running low-priority job.</summary>
    private static async Task PriorityAsync(Settings s)
    {
        var (lowFolder, highFolder) = (Images(s.Low), Images(s.High));
        Report.Value("low_images", s.Low);
        Report.Value("high_images", s.High);
        await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(s.Data, "azurite-a"));
        await using var host = await FairHost.StartAsync(azurite, "a", scheduler: true, s.Slots, s.ImagesPerTask);
        await WarmUpAsync(host, s);
        var clock = Stopwatch.StartNew();

        var alone = await WatchedJob.SubmitAsync(host.Http, clock, "high-alone", Job(s, highFolder, Output(s, "high-alone"), "high"), s.High);
        await GuardAsync(host, alone.WaitAsync(FastPoll, s.Timeout));
        Report.Log($"high job alone: {alone.Seconds:0.00}s (first image after {alone.FirstImageSeconds:0.0}s)");

        var lowJob = await WatchedJob.SubmitAsync(host.Http, clock, "low", Job(s, lowFolder, Output(s, "low"), "low"), s.Low);
        await GuardAsync(host, lowJob.WaitClassifyingAsync(FastPoll, s.Timeout));
        var lowBefore = lowJob.Done;
        Report.Log($"low job classifying: {lowBefore} done after {clock.Elapsed.TotalSeconds - lowJob.SubmittedAt:0.0}s");

        var behind = await WatchedJob.SubmitAsync(host.Http, clock, "high", Job(s, highFolder, Output(s, "high"), "high"), s.High);
        var snapshot = LogSchedulerAsync(host, s.WatchScheduler, () => behind.CompletedAt is not null);
        await GuardAsync(host, behind.WaitAsync(FastPoll, s.Timeout));
        await snapshot;
        await lowJob.PollAsync();
        Report.Log($"high job behind the low one: {behind.Seconds:0.00}s (first image after {behind.FirstImageSeconds:0.0}s); the low job did {lowJob.Done - lowBefore} images meanwhile " +
                   $"({lowJob.Done}/{s.Low}; waiting seen: high [{string.Join(" | ", behind.WaitingSeen)}], low [{string.Join(" | ", lowJob.WaitingSeen)}])");
        Report.Log($"high job's last running status: {behind.LastRunning}");
        LogHostTail(host);
        Report.Log($"low job status at the end: {lowJob.LastStatus.GetProperty("runtimeStatus")} {(lowJob.LastStatus.TryGetProperty("customStatus", out var c) ? c.ToString() : "")}");

        Report.Value("high_alone_seconds", alone.Seconds, "0.00");
        Report.Value("high_behind_low_seconds", behind.Seconds, "0.00");
        Report.Value("priority_slowdown", behind.Seconds / alone.Seconds, "0.000");
        // The low job is not waited for: the host and its task hub go with this part.
    }

    /// <summary>(b) Two tenants of weight 1, one job each over the same images, submitted at once.</summary>
    private static async Task TenantsAsync(Settings s)
    {
        var folder = Images(s.Tenant);
        Report.Value("tenant_images", s.Tenant);
        await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(s.Data, "azurite-b"));
        await using var host = await FairHost.StartAsync(azurite, "b", scheduler: true, s.Slots, s.ImagesPerTask);
        var (outputA, outputB) = (Output(s, "tenant-a"), Output(s, "tenant-b"));
        var keyA = await host.AddTenantAsync("fair-a", folder, outputA, weight: 1);
        var keyB = await host.AddTenantAsync("fair-b", folder, outputB, weight: 1);
        await WarmUpAsync(host, s);
        var clock = Stopwatch.StartNew();

        var submitted = await Task.WhenAll(
            WatchedJob.SubmitAsync(host.Http, clock, "tenant-a", Job(s, folder, Path.Combine(outputA, "job"), priority: null), s.Tenant, keyA),
            WatchedJob.SubmitAsync(host.Http, clock, "tenant-b", Job(s, folder, Path.Combine(outputB, "job"), priority: null), s.Tenant, keyB));
        var (a, b) = (submitted[0], submitted[1]);
        var snapshot = LogSchedulerAsync(host, s.WatchScheduler, () => a.CompletedAt is not null && b.CompletedAt is not null);
        var rounds = new List<Overlap.Round>();
        await GuardAsync(host, WatchedJob.WaitAllAsync(submitted, SlowPoll, s.Timeout, at => rounds.Add(new Overlap.Round(at, a.Done, b.Done))));
        await snapshot;
        LogHostTail(host);
        Report.Log($"tenant-a {a.Seconds:0.00}s (first image after {a.FirstImageSeconds:0.0}s), tenant-b {b.Seconds:0.00}s (first image after {b.FirstImageSeconds:0.0}s); waiting seen: a [{string.Join(" | ", a.WaitingSeen)}], b [{string.Join(" | ", b.WaitingSeen)}]");

        var (overlap, rateA, rateB) = Overlap.Rates(rounds, Math.Max(a.SubmittedAt, b.SubmittedAt), s.Tenant, s.Tenant)
            ?? throw new InvalidOperationException("both jobs completed but no round saw either done");
        Report.Value("tenant_a_seconds", a.Seconds, "0.00");
        Report.Value("tenant_b_seconds", b.Seconds, "0.00");
        Report.Value("tenant_overlap_seconds", overlap, "0.00");
        Report.Value("tenant_a_images_per_s", rateA, "0.00");
        Report.Value("tenant_b_images_per_s", rateB, "0.00");
        Report.Value("tenant_share_ratio", Math.Min(rateA, rateB) / Math.Max(rateA, rateB), "0.000");
        if (Overlap.SteadyRates(rounds, s.Tenant, s.Tenant) is var (steady, steadyA, steadyB))
        {
            Report.Value("tenant_steady_seconds", steady, "0.00");
            Report.Value("tenant_steady_share_ratio", Math.Min(steadyA, steadyB) / Math.Max(steadyA, steadyB), "0.000");
        }
    }

    /// <summary>(c) The same job on a host with the scheduler and on one without it, alternated over the rounds.</summary>
    private static async Task OverheadAsync(Settings s)
    {
        var folder = Images(s.Overhead);
        Report.Value("overhead_images", s.Overhead);
        await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(s.Data, "azurite-c"));
        await using var with = await FairHost.StartAsync(azurite, "c-with", scheduler: true, s.Slots, s.ImagesPerTask);
        await using var without = await FairHost.StartAsync(azurite, "c-without", scheduler: false, s.Slots, s.ImagesPerTask);
        await WarmUpAsync(with, s);
        await WarmUpAsync(without, s);
        var clock = Stopwatch.StartNew();
        double withSeconds = 0, withoutSeconds = 0;
        for (var round = 0; round < s.Rounds; round++)
        {
            // ABBA: the order alternates so that a drift in the machine's load weighs on both sides.
            foreach (var host in round % 2 == 0 ? new[] { with, without } : [without, with])
            {
                var job = await WatchedJob.SubmitAsync(host.Http, clock, host.Name, Job(s, folder, Output(s, $"{host.Name}-{round}"), priority: null), s.Overhead);
                await GuardAsync(host, job.WaitAsync(FastPoll, s.Timeout));
                Report.Log($"{host.Name} round {round}: {job.Seconds:0.00}s");
                if (host == with)
                    withSeconds += job.Seconds;
                else
                    withoutSeconds += job.Seconds;
            }
        }
        Report.Value("scheduler_on_seconds", withSeconds / s.Rounds, "0.00");
        Report.Value("scheduler_off_seconds", withoutSeconds / s.Rounds, "0.00");
        Report.Value("scheduler_overhead", 1 - (withoutSeconds / withSeconds), "0.000");
    }

    /// <summary>A small job first, so the measured jobs find the model loaded and the code compiled.</summary>
    private static async Task WarmUpAsync(FairHost host, Settings s)
    {
        var job = await WatchedJob.SubmitAsync(host.Http, Stopwatch.StartNew(), $"{host.Name}-warmup", Job(s, Images(s.Warmup), Output(s, $"{host.Name}-warmup"), priority: null), s.Warmup);
        await GuardAsync(host, job.WaitAsync(FastPoll, s.Timeout));
        Report.Log($"{host.Name}: warm-up job of {s.Warmup} images in {job.Seconds:0.00}s");
    }

    /// <summary>Awaits <paramref name="wait"/>; when a job does not end in time, logs the scheduler's state before the part fails.</summary>
    private static async Task GuardAsync(FairHost host, Task wait)
    {
        try
        {
            await wait;
        }
        catch (TimeoutException)
        {
            Report.Log($"{host.Name}: GET api/scheduler: {await host.SchedulerStateAsync()}");
            throw;
        }
    }

    /// <summary>
    /// GET api/scheduler on stderr 5 s after jobs were submitted (who held the slots then, who waited);
    /// with <paramref name="watch"/> (--watch-scheduler), every 2 s after that whenever it changed, until <paramref name="ended"/>.
    /// </summary>
    private static async Task LogSchedulerAsync(FairHost host, bool watch, Func<bool> ended)
    {
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var last = "";
        do
        {
            var state = await host.SchedulerStateAsync();
            if (state != last)
                Report.Log($"{host.Name}: GET api/scheduler {clock.Elapsed.TotalSeconds:0.0}s after the submission: {state}");
            last = state;
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        while (watch && !ended());
    }

    /// <summary>The host's last output lines on stderr (its log is at Warning: what went wrong, the scheduler's failures among it), if any.</summary>
    private static void LogHostTail(FairHost host)
    {
        var tail = host.OutputTail.Split('\n').Where(l => l.Length > 0).TakeLast(30).ToList();
        Report.Log(tail.Count == 0 ? $"{host.Name}: the host logged nothing" : $"{host.Name}: the host's last {tail.Count} lines:\n" + string.Join('\n', tail));
    }

    /// <summary>A results folder of its own for the job called <paramref name="name"/>.</summary>
    private static string Output(Settings s, string name) => Path.Combine(s.Data, "results", name);

    /// <summary>The job request: a local folder, the model, where its results go, and the priority (null: the default).</summary>
    private static Dictionary<string, object> Job(Settings s, string source, string output, string? priority)
    {
        var request = new Dictionary<string, object> { ["source"] = source, ["model"] = s.Model, ["output"] = output };
        if (priority is not null)
            request["priority"] = priority;
        return request;
    }

    /// <summary>The photographs repeated to <paramref name="count"/> images in a local folder (made once).</summary>
    private static string Images(int count)
    {
        var clock = Stopwatch.StartNew();
        var folder = BenchImages.EnsureLocalFolder(BenchImages.Plan(count));
        if (clock.Elapsed > TimeSpan.FromSeconds(1))
            Report.Log($"copied {count} images to {folder} in {clock.Elapsed.TotalSeconds:0.0}s");
        return folder;
    }
}
