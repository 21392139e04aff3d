namespace Serverless.WorkerProcess;

/// <summary>Command line of the worker: <c>--name value</c> pairs.</summary>
internal sealed record WorkerSettings(
    string ConnectionString,
    string HubName,
    string WorkerId,
    int PartitionCount,
    TimeSpan LeaseDuration,
    TimeSpan LeaseRenewInterval,
    TimeSpan VisibilityTimeout,
    int MaxDequeueCount,
    int MaxConcurrentActivities,
    TimeSpan ActivityDelay)
{
    public static WorkerSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Expected --name value pairs, got '{args[i]}'.");
            values[args[i][2..]] = args[i + 1];
        }
        string Get(string name, string? fallback = null) =>
            values.TryGetValue(name, out var value) ? value
            : Environment.GetEnvironmentVariable("WORKER_" + name.Replace('-', '_').ToUpperInvariant()) ?? fallback
            ?? throw new ArgumentException($"--{name} is required.");
        TimeSpan Seconds(string name, string fallback) => TimeSpan.FromSeconds(double.Parse(Get(name, fallback), System.Globalization.CultureInfo.InvariantCulture));
        return new WorkerSettings(
            Get("connection"),
            Get("hub"),
            Get("worker-id"),
            int.Parse(Get("partitions", "4")),
            Seconds("lease-seconds", "15"),
            Seconds("renew-seconds", "2"),
            Seconds("visibility-seconds", "5"),
            int.Parse(Get("max-dequeue", "5")),
            int.Parse(Get("max-activities", "4")),
            TimeSpan.FromMilliseconds(int.Parse(Get("activity-delay-ms", "100"))));
    }
}
