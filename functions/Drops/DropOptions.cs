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

    /// <summary>
    /// How much earlier than the location's watermark an object's last-modified time may be and it is
    /// still judged (default 1 hour): it covers objects that appear in a listing later than their
    /// last-modified time says (a long multipart upload, a file copied in keeping its times). Older
    /// objects are listed but neither read nor remembered (<see cref="DropWatermark"/>).
    /// </summary>
    public TimeSpan WatermarkWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a settled (done or poison) receipt is kept after it settled (default 7 days); then it is
    /// deleted, once its object is older than the watermark's window, by a sweep of at most
    /// <see cref="SweepBatch"/> receipts per location every <see cref="PollInterval"/>-paced listing.
    /// </summary>
    public TimeSpan SettledReceiptRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The most expired receipts one sweep deletes (default 500).</summary>
    public int SweepBatch { get; set; } = 500;

    /// <summary>Storage queue of push notifications (default <c>{hub}-drops</c>, lowercase) in the task hub's account.</summary>
    public string? NotificationQueue { get; set; }

    public bool IsEmpty => Locations.Count == 0 && Jobs.Count == 0;
}
