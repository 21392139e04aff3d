namespace Serverless.Drops;

/// <summary>
/// host.json's <c>drops</c> section: the prefixes a worker watches for dropped images and job
/// files, how often it lists them, and how claims on dropped objects expire and fail.
/// </summary>
public sealed class DropOptions
{
    public const string SectionName = "drops";

    /// <summary>Image prefixes to classify, each with its results prefix and model.</summary>
    public List<DropLocationOptions> Locations { get; set; } = [];

    /// <summary>Prefixes where a JSON job description (the body of POST /api/jobs) starts a batch job.</summary>
    public List<string> Jobs { get; set; } = [];

    /// <summary>Time between two listings of a location.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a claim on an object version holds before another worker may retake it (its owner is presumed dead).</summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Delay before a version whose processing failed is tried again.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts before a version that keeps failing is recorded as poison.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Keys per listing request.</summary>
    public int ListPageSize { get; set; } = 1000;

    /// <summary>Objects read, and results written, concurrently within a micro-batch.</summary>
    public int IoConcurrency { get; set; } = 8;

    /// <summary>Storage queue of push notifications (default <c>{hub}-drops</c>, lowercase) in the task hub's account.</summary>
    public string? NotificationQueue { get; set; }

    public bool IsEmpty => Locations.Count == 0 && Jobs.Count == 0;
}
