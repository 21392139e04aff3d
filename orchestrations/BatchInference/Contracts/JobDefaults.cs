namespace Serverless.BatchInference.Contracts;

/// <summary>Defaults of a job, bound from host.json's <c>batchInference</c> section.</summary>
public sealed class JobDefaults
{
    public const string SectionName = "batchInference";

    public int BatchSize { get; set; } = 32;
    /// <summary>
    /// Images per page: a page manifest, a page orchestration, its scheduler calls and its record each
    /// cost the task hub requests per page, not per image. Measured on the scale benchmark (20,000
    /// tiny images, scheduler on): 1,000 a page 0.198 storage requests per image, 2,000 0.152, 4,000
    /// 0.116, 8,000 0.104. Every unit reads its page's manifest whole (about 150 bytes an image), so
    /// a larger page costs each image that much more read per unit of its page: 4,000 keeps it near 2 KB.
    /// </summary>
    public int PageSize { get; set; } = 4000;
    public int MaxBatchesInFlight { get; set; } = 16;
    public int Top { get; set; } = 5;

    /// <summary>
    /// The most memory one batch's input tensor may take: batch size x channels x width x height x 4
    /// bytes (a batch of 1,024 at 224x224 is 600 MiB, and a classifier keeps a few). A job whose batch
    /// would be larger fails at once, saying so, before any batch runs.
    /// </summary>
    public long MaxBatchTensorBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Pages per execution of the job orchestrator before it continues as new (each page adds about six history events).</summary>
    public int PagesPerExecution { get; set; } = 200;

    /// <summary>
    /// Images per work unit: one ClassifyBatch activity streams them through the pipelined
    /// classifier in inference batches of <see cref="BatchSize"/> and writes one part. Larger units
    /// pay an activity's fixed costs (messages, history, ledger, part) over more images.
    /// </summary>
    public int ImagesPerTask { get; set; } = DefaultImagesPerTask;

    /// <summary>Pages merged by one MergeShard activity into one predictions shard (<c>predictions/part-NNNNN</c>).</summary>
    public int PagesPerShard { get; set; } = DefaultPagesPerShard;

    /// <summary>Jobs up to this many images also get the shards joined into one predictions file; larger jobs get the shards only.</summary>
    public long SingleFileMaxImages { get; set; } = DefaultSingleFileMaxImages;

    /// <summary>
    /// Work units of one job in flight at once, across its pages: the job runs
    /// ceil(this / units of a page) pages at once. With pages of 4,000 and units of 256 (16 a page, all in
    /// flight), 32 is 2 pages: 32 units, enough for 16 workers of 2 activity slots each.
    /// </summary>
    public int MaxUnitsInFlight { get; set; } = 32;

    /// <summary>Keep each job's working area (<c>_work/&lt;job&gt;/</c>) after its merge (a job's <c>keepWorkArea</c> overrides it); default: deleted.</summary>
    public bool KeepWorkArea { get; set; }

    /// <summary>How often a running unit writes its progress counter, in seconds (it also writes one at its end).</summary>
    public double UnitProgressSeconds { get; set; } = 1;

    public const int DefaultImagesPerTask = 256;
    /// <summary>Pages of 4,000: shards of 20,000 rows.</summary>
    public const int DefaultPagesPerShard = 5;
    public const long DefaultSingleFileMaxImages = 1_000_000;
}
