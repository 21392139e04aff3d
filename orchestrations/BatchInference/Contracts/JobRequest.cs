namespace Serverless.BatchInference.Contracts;

/// <summary>
/// A batch-inference job as submitted (the body of <c>POST /api/jobs</c>, or a job file).
/// Validated and filled with defaults by <see cref="JobRequestValidator"/> before it is scheduled.
/// </summary>
public sealed record JobRequest
{
    /// <summary>Optional id chosen by the caller: submitting the same id twice runs the job once.</summary>
    public string? Id { get; init; }

    /// <summary>Where the images are: <c>s3://bucket/prefix</c>, <c>azblob://container/prefix</c> or a local path.</summary>
    public string? Source { get; init; }

    /// <summary>
    /// A manifest to classify instead of a prefix: the location of a CSV file with a header or a JSON
    /// Lines file (<c>.jsonl</c>/<c>.ndjson</c>), one image per row; give it or <see cref="Source"/>.
    /// </summary>
    public string? Manifest { get; init; }

    /// <summary>The manifest's column that holds the keys (default <c>key</c>); the others are carried into the rows.</summary>
    public string? ManifestKeyColumn { get; init; }

    /// <summary>Path of the ONNX model (its manifest and labels beside it).</summary>
    public string? Model { get; init; }

    /// <summary>Preprocessing preset overriding the manifest's (imagenet, caffe, vit).</summary>
    public string? Preset { get; init; }

    /// <summary>Images per ClassifyBatch activity; host.json's batchInference:batchSize when absent.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Where predictions and summary go; defaults to <c>{source}/../results/{jobId}</c> style location chosen by the host.</summary>
    public string? Output { get; init; }

    /// <summary>Output format: jsonl (default), csv or parquet.</summary>
    public string? Format { get; init; }

    /// <summary>
    /// Model outputs (graph output names, e.g. <c>features</c>) stored per image as float vectors: a
    /// field of that name in JSONL, a list column of that name in Parquet; not with CSV. Naming the
    /// class output stores it instead of its top-k (a feature extractor's only output).
    /// </summary>
    public IReadOnlyList<string>? Outputs { get; init; }

    /// <summary>How many classes to report per image (default 5).</summary>
    public int? Top { get; init; }

    /// <summary>
    /// Work units of this job in flight at once, across its pages (Step Functions' MaxConcurrency):
    /// a cap on what one job takes of the workers and of its storage; <c>batchInference:maxUnitsInFlight</c> (32) when absent.
    /// </summary>
    public int? MaxUnitsInFlight { get; init; }

    /// <summary>Keep the job's working area (<c>_work/&lt;job&gt;/</c>: page manifests, parts) after the merge, to inspect it; default: deleted.</summary>
    public bool? KeepWorkArea { get; init; }

    /// <summary>
    /// An earlier job's output location: an image already classified there (no error) with the same
    /// model hash and the same ETag is not classified again; its row is copied into this job's output.
    /// </summary>
    public string? SkipExisting { get; init; }

    /// <summary>Stop the job once more than this many images failed (Azure ML's error_threshold).</summary>
    public int? MaxFailedImages { get; init; }

    /// <summary>Stop the job once more than this percentage of the processed images failed.</summary>
    public double? MaxFailedPercent { get; init; }

    /// <summary>The job's priority: <c>high</c>, <c>normal</c> (default) or <c>low</c> (<see cref="JobPriority"/>); an admin may change it while it runs.</summary>
    public string? Priority { get; init; }
}
