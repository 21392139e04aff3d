using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Merge;
using Serverless.Jobs.Tenancy;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Reruns;

/// <summary>
/// Redrive (<c>POST api/jobs/{id}/rerun</c>, <c>serverless rerun</c>): a new job over exactly the failed
/// images of an ended job. The request checks the parent's summary (its failures of the reasons asked)
/// and that its predictions can be read; the new job's first listing reads their failed rows into its
/// manifest (<see cref="RerunManifest"/>). The new job is submitted as any job is (the same validation, tenant rules and
/// idempotent id), with the parent's model, options and source, its keys read from the parent's source.
/// The parent's summary.json lists its reruns; the new job's spec, status and summary name its parent.
/// </summary>
public sealed class RerunSubmission(JobSubmission submission, JobResources resources, TenantPolicy policy)
{
    /// <summary>Every reason code a row can carry: what <see cref="RerunRequest.Reasons"/> may name.</summary>
    public static readonly IReadOnlyList<string> KnownReasons =
    [
        "empty_file", "unsupported_format", "corrupt_image", "too_large", "read_failed", "not_found", "decode_failed", "inference_failed", "worker_crashed",
    ];

    /// <summary>Starts the rerun of <paramref name="parentId"/>'s failed images as <paramref name="caller"/>.</summary>
    /// <param name="client">The host's client of the task hub.</param>
    public async Task<RerunOutcome> SubmitAsync(DurableTaskClient client, string parentId, RerunRequest request, CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (request.Failed != true)
            return RerunOutcome.Invalid("failed", "must be true: a rerun classifies again the failed images of its job (the only kind of rerun)");
        var reasons = request.Reasons?.Select(r => r?.Trim() ?? "").ToArray() ?? [];
        if (reasons.FirstOrDefault(r => !KnownReasons.Contains(r, StringComparer.Ordinal)) is { } unknown)
            return RerunOutcome.Invalid("reasons", $"'{unknown}' is not an error code; the codes are {string.Join(", ", KnownReasons)}");
        if (request.Id is { } id && !JobRequestValidator.IsJobId(id))
            return RerunOutcome.Invalid("id", "must be 1-100 characters of letters, digits, '-', '_' or '.'");

        var metadata = await client.GetInstanceAsync(parentId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (metadata is null || PageIds.TryParse(parentId, out _, out _))
            return RerunOutcome.Problem(404, "No such job.", $"No job with id '{parentId}'.");
        if (!metadata.IsCompleted)
            return RerunOutcome.Problem(409, "The job has not ended.", $"Job '{parentId}' is {metadata.RuntimeStatus}: rerun its failed images once it has ended.");
        var parent = JobSpecs.Of(metadata);
        if (parent is null)
            return RerunOutcome.Problem(400, "The job cannot be rerun.", $"Job '{parentId}' has no job spec as its input (not a batch job).");

        var parentStore = resources.Results(parent.Output);
        var summary = await SummaryOfAsync(parentStore, parentId, cancellationToken).ConfigureAwait(false);
        if (summary is null)
            return RerunOutcome.Problem(400, "The job wrote no predictions.", $"Job '{parentId}' is {metadata.RuntimeStatus} and wrote no predictions of its own to {parent.Output}: there are no failed rows to rerun.");
        var asked = reasons.Length == 0 ? summary.FailuresByReason.Keys.ToArray() : reasons;
        var failing = asked.Sum(r => summary.FailuresByReason.GetValueOrDefault(r));
        if (failing == 0)
            return RerunOutcome.Problem(400, "The job has no failed images to rerun.", summary.Failed == 0
                ? $"Job '{parentId}' has no failed images."
                : $"Job '{parentId}' has no failed images with reason {string.Join(" or ", reasons)}; its failures: {string.Join(", ", summary.FailuresByReason.Select(p => $"{p.Key} {p.Value}"))}.");

        var jobId = request.Id ?? $"rerun-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        var output = string.IsNullOrWhiteSpace(request.Output) ? $"{parent.Output.TrimEnd('/')}/reruns/{jobId}" : request.Output.Trim();
        // Judged before anything is read for the rerun: a key learns nothing of, and has nothing written to, a place outside its rules.
        if (await policy.CheckJobAsync(caller, parent.Source, output, parent.Model, cancellationToken).ConfigureAwait(false) is { Allowed: false } refused)
            return new RerunOutcome(null, null) { Refused = refused };
        if (!SourceUri.TryParse(output, out _, out var outputError))
            return RerunOutcome.Invalid("output", outputError);

        // The rows themselves are read by the new job's first listing (RerunManifest): only that they can be, here.
        try
        {
            await PredictionsReader.FilesAsync(parentStore, cancellationToken).ConfigureAwait(false);
        }
        catch (JobConfigurationException e)
        {
            return RerunOutcome.Problem(400, "The job's predictions cannot be rerun.", $"Job '{parentId}': {e.Message}");
        }
        var manifest = $"{output.TrimEnd('/')}/{JobWorkArea.RerunManifest(jobId)}";

        var outcome = await submission.SubmitAsync(client, new JobRequest
        {
            Id = jobId, Manifest = manifest, ManifestKeyColumn = "key", Model = parent.Model, Preset = parent.Preset, BatchSize = parent.BatchSize,
            Output = output, Format = parent.Format, Top = parent.Top, Outputs = parent.Outputs, MaxFailedImages = parent.MaxFailedImages, MaxFailedPercent = parent.MaxFailedPercent,
        }, caller, spec => spec with { Source = parent.Source, ParentJob = parentId, Rerun = new RerunSource(parent.Output, reasons) }, cancellationToken).ConfigureAwait(false);
        if (outcome.JobId is not null && !outcome.AlreadyExisted)
            await RerunRegistry.AddAsync(parentStore, parentId, new RerunLink(outcome.JobId, output, DateTimeOffset.UtcNow), cancellationToken).ConfigureAwait(false);
        return new RerunOutcome(outcome, failing);
    }

    /// <summary>The summary.json at <paramref name="store"/> when it is <paramref name="jobId"/>'s; null when there is none of that job.</summary>
    internal static async Task<JobSummary?> SummaryOfAsync(IResultStore store, string jobId, CancellationToken cancellationToken)
    {
        try
        {
            var summary = await new ResultWriter(store).ReadSummaryAsync(cancellationToken).ConfigureAwait(false);
            return summary.JobId == jobId ? summary : null;
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.ObjectNotFound or StorageErrorKind.ContainerNotFound)
        {
            return null;
        }
    }
}

/// <summary>The body of <c>POST api/jobs/{id}/rerun</c>.</summary>
public sealed record RerunRequest
{
    /// <summary>Must be true: the failed images are rerun.</summary>
    public bool? Failed { get; init; }

    /// <summary>Only rows with these error codes (all failed rows when empty).</summary>
    public IReadOnlyList<string>? Reasons { get; init; }

    /// <summary>The new job's id (default <c>rerun-&lt;time&gt;-&lt;random&gt;</c>); the same id again is the same rerun.</summary>
    public string? Id { get; init; }

    /// <summary>The new job's output (default <c>&lt;parent output&gt;/reruns/&lt;new id&gt;</c>).</summary>
    public string? Output { get; init; }
}

/// <summary>
/// What a rerun request came to: the submission's outcome (its job id, or its errors), or a problem
/// (status, title, detail) found before submitting, or a tenant rule's refusal.
/// </summary>
/// <param name="Images">The parent's failed images of the reasons asked, as its summary counts them: what the rerun classifies.</param>
public sealed record RerunOutcome(JobSubmission.Outcome? Submitted, long? Images)
{
    /// <summary>400/404/409 found before the new job was submitted.</summary>
    public (int Status, string Title, string Detail)? Refusal { get; init; }

    /// <summary>Errors of the request's fields (400).</summary>
    public IReadOnlyDictionary<string, string>? Errors { get; init; }

    /// <summary>A tenant rule's refusal (403).</summary>
    public TenantDecision? Refused { get; init; }

    internal static RerunOutcome Invalid(string field, string message) => new(null, null) { Errors = new Dictionary<string, string> { [field] = message } };

    internal static RerunOutcome Problem(int status, string title, string detail) => new(null, null) { Refusal = (status, title, detail) };
}
