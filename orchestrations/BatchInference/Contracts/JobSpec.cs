namespace Serverless.BatchInference.Contracts;

/// <summary>
/// A validated job with every default filled in (<see cref="JobDefaults"/> for what each setting does): the input of <see cref="Orchestrators.BatchJobOrchestrator"/>.
/// </summary>
public sealed record JobSpec(
    string JobId,
    string Source,
    string Model,
    string? Preset,
    int BatchSize,
    int PageSize,
    int MaxBatchesInFlight,
    string Output,
    string Format,
    int Top,
    int? MaxFailedImages,
    double? MaxFailedPercent,
    int PagesPerExecution = 200,
    int ImagesPerTask = JobDefaults.DefaultImagesPerTask,
    int PagesPerShard = JobDefaults.DefaultPagesPerShard,
    long SingleFileMaxImages = JobDefaults.DefaultSingleFileMaxImages)
{
    /// <summary>
    /// The SHA-256 of the model file when the job started (set by the orchestrator from CheckModel):
    /// every unit checks the model it uses against it, and every row and the summary carry it.
    /// </summary>
    public string? ModelSha256 { get; init; }

    /// <summary>
    /// The manifest the job lists instead of a prefix (a CSV with a header, or JSON Lines); its keys
    /// are read from <see cref="Source"/>, the manifest's bucket, container or local folder.
    /// </summary>
    public string? Manifest { get; init; }

    /// <summary>The manifest's column (or JSON property) that holds the keys (default <c>key</c>).</summary>
    public string? ManifestKeyColumn { get; init; }

    /// <summary>
    /// Pages the job runs at once, from <see cref="JobRequest.MaxUnitsInFlight"/> over the units of a
    /// page. A job started before the setting existed has none in its state: 2, as it ran then.
    /// </summary>
    public int PagesInFlight { get; init; } = 2;

    /// <summary>Whether the working area stays after the merge (<see cref="JobRequest.KeepWorkArea"/>).</summary>
    public bool KeepWorkArea { get; init; }

    /// <summary>The tenant of the key that submitted the job (null: the implicit tenant of a host without tenants, or the master key).</summary>
    public string? Tenant { get; init; }

    /// <summary>An earlier output whose successful rows of the same model and ETag are copied, not classified again (<see cref="JobRequest.SkipExisting"/>).</summary>
    public string? SkipExisting { get; init; }

    /// <summary>The named model outputs stored per image (<see cref="JobRequest.Outputs"/>); null for none.</summary>
    public IReadOnlyList<string>? Outputs { get; init; }

    /// <summary>
    /// The manifest's other columns (their header names, or a JSON Lines manifest's other fields), as
    /// many as its pages listed so far have had: the Parquet output's extra columns. Set by the
    /// listing, at most <see cref="MaxPassthroughColumns"/>; null for a job over a prefix.
    /// </summary>
    public IReadOnlyList<string>? PassthroughColumns { get; init; }

    /// <summary>The most passthrough columns a job carries.</summary>
    public const int MaxPassthroughColumns = 64;

    /// <summary>The job this one reruns the failed images of (<c>POST api/jobs/{id}/rerun</c>); null for a job submitted as such.</summary>
    public string? ParentJob { get; init; }

    /// <summary>A rerun's failed rows to read into its manifest at its first listing; null for other jobs.</summary>
    public RerunSource? Rerun { get; init; }

    /// <summary>The job's priority as submitted (<see cref="JobPriority"/>); an admin's later change lives in the scheduler.</summary>
    public string Priority { get; init; } = JobPriority.Normal;

    /// <summary>
    /// How the scheduler admits the job and its units (<see cref="Scheduling.JobScheduler"/>); null: the job
    /// runs unscheduled, as a job started before the scheduler existed (or on a host with it turned off).
    /// </summary>
    public Scheduling.SchedulingTerms? Scheduling { get; init; }
}
