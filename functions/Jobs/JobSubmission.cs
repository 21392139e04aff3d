using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Tenancy;
using Serverless.Storage;

namespace Serverless.Jobs;

/// <summary>
/// Turns a job request into a running job: validates it field by field, checks what is cheap to
/// check before scheduling (the source exists and can be listed, the model file is there), and
/// schedules the orchestration under the job id, at most once per id.
/// </summary>
public sealed class JobSubmission(IOptions<JobDefaults> defaults, StorageConnections connections, LocalRoot localRoot, ModelsRoot modelsRoot, JobIndex index, TenantPolicy policy,
    Scheduling.JobScheduling scheduling)
{
    /// <summary>
    /// The outcome: errors by field (400), among them <c>id</c> with <see cref="Conflict"/> set (409) when
    /// another job (another spec, or another tenant's) was submitted under the same id; a tenant rule's
    /// refusal (<see cref="Refused"/>, 403); or the job id and whether it already existed.
    /// </summary>
    public sealed record Outcome(IReadOnlyDictionary<string, string> Errors, string? JobId, bool AlreadyExisted, string? Conflict = null)
    {
        /// <summary>The tenant policy's refusal, judged before anything is read; null when allowed.</summary>
        public TenantDecision? Refused { get; init; }

        /// <summary>The tenant's hard limit of queued jobs refuses the job for now (429 with Retry-After); null when it does not.</summary>
        public string? Busy { get; init; }
    }

    /// <summary>How long a claimed id may go without its instance before a submission of the same job starts it (the claimer died in between).</summary>
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(1);

    /// <summary>Submits as the implicit tenant (a host without tenants, or a function key).</summary>
    /// <param name="client">The host's client of the task hub (under Functions, the one its binding gives).</param>
    public Task<Outcome> SubmitAsync(DurableTaskClient client, JobRequest request, CancellationToken cancellationToken) =>
        SubmitAsync(client, request, CallerIdentity.Implicit, cancellationToken);

    /// <summary>
    /// Submits as <paramref name="caller"/>: a tenant key's job is held to its tenant's locations and
    /// models (<see cref="Outcome.Refused"/>, before the source is listed) and records its tenant in its
    /// spec and its index rows.
    /// </summary>
    /// <param name="client">The host's client of the task hub (under Functions, the one its binding gives).</param>
    public Task<Outcome> SubmitAsync(DurableTaskClient client, JobRequest request, CallerIdentity caller, CancellationToken cancellationToken) =>
        SubmitAsync(client, request, caller, adjust: null, cancellationToken);

    /// <summary>
    /// Submits as <paramref name="caller"/> with <paramref name="adjust"/> applied to the spec once its locations
    /// are resolved and before anything is judged (a rerun reads its keys from its parent's source).
    /// </summary>
    internal async Task<Outcome> SubmitAsync(DurableTaskClient client, JobRequest request, CallerIdentity caller, Func<JobSpec, JobSpec>? adjust, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string>(
            JobRequestValidator.Validate(request, defaults.Value, NewJobId, DefaultOutput, out var spec), StringComparer.Ordinal);
        var modelName = spec?.Model;
        var modelPath = "";
        if (spec is not null)
        {
            // Locations stored resolved: a worker checks these paths again, and must not read them against its own working directory.
            // The model is stored by its name in the models root (never the host's path: the status, summary and dashboard show it);
            // each worker resolves it against its own models root.
            var manifest = spec.Manifest is null ? null : Location(spec.Manifest, "manifest", errors);
            spec = spec with
            {
                Manifest = manifest,
                Source = manifest is null ? Location(spec.Source, "source", errors) : Location(JobRequestValidator.ManifestFolder(manifest), "manifest", errors),
                Output = Location(spec.Output, "output", errors),
                Model = Model(spec.Model, errors, out modelPath),
                SkipExisting = spec.SkipExisting is { } skip ? Location(skip, "skipExisting", errors) : null,
            };
            if (adjust is not null)
                spec = adjust(spec);
        }
        // The tenant's rules are judged before the model file is looked for and before the source is listed:
        // a tenant key learns nothing of other folders, and a location outside its patterns is never asked.
        var judged = spec is not null && errors.Count == 0;
        // A manifest's keys in a bucket store are judged one by one as its listing reads them (ManifestPages), so what is
        // judged here is the manifest object, not the bucket the keys are read from; a rerun's manifest is its own (in its
        // output). A local manifest's keys are paths under its folder, which is judged as the source, as a prefix is.
        var keysJudgedAtListing = judged && spec!.Manifest is not null && SourceUri.Parse(spec.Source).Kind != StorageKind.Local;
        if (judged && await policy.CheckJobAsync(caller, keysJudgedAtListing ? null : spec!.Source, spec!.Output, spec.Model, cancellationToken).ConfigureAwait(false) is { Allowed: false } refused)
            return new Outcome(errors, null, false) { Refused = refused };
        if (keysJudgedAtListing && spec!.Rerun is null
            && await policy.CheckSourceAsync(caller, spec.Manifest!, cancellationToken).ConfigureAwait(false) is { Allowed: false } manifestRefused)
            return new Outcome(errors, null, false) { Refused = manifestRefused with { Field = "manifest" } };
        // skipExisting is read like a source: the tenant must be allowed to read it.
        if (judged && spec!.SkipExisting is { } skipLocation && await policy.CheckSourceAsync(caller, skipLocation, cancellationToken).ConfigureAwait(false) is { Allowed: false } skipRefused)
            return new Outcome(errors, null, false) { Refused = skipRefused with { Field = "skipExisting" } };
        if (spec is not null && !errors.ContainsKey("model") && (judged || !caller.IsTenantKey) && !File.Exists(modelPath))
            errors["model"] = $"there is no model '{modelName}' in the models root ({ModelsRoot.Setting})";
        if (errors.Count > 0 || spec is null)
            return new Outcome(errors, null, false);
        spec = spec with { Tenant = caller.JobTenant, Scheduling = await scheduling.TermsAsync(caller.JobTenant, cancellationToken).ConfigureAwait(false) };
        // A scheduled job runs no more units than the deployment's slots: pages beyond those they fill (and one
        // listed ahead, for when a page drains) would only wait for slots and ask for them again and again.
        if (spec.Scheduling is { } terms)
            spec = spec with { PagesInFlight = Math.Min(spec.PagesInFlight, JobRequestValidator.PagesInFlight(terms.Slots, defaults.Value) + 1) };

        // The same id again: the job it names when the spec is the same, 409 when it is another one.
        var fingerprint = Fingerprint(spec);
        if (await index.ClaimOfAsync(spec.JobId, cancellationToken) is { } claim && await HeldAsync(client, spec.JobId, fingerprint, spec.Tenant, claim, cancellationToken) is { } held)
            return held;
        // A manifest's header (or an inventory's manifest and files) is checked here: a missing file, a CSV without its
        // key column: 400; its rows by the job's listing, which fails the job naming a bad line. A rerun's manifest is
        // written by its first listing.
        if (spec.Manifest is null && await SourceProbe.CheckAsync(spec.Source, connections, cancellationToken) is { } sourceProblem)
            return new Outcome(new Dictionary<string, string> { ["source"] = sourceProblem }, null, false);
        if (spec.Manifest is { } manifestLocation && spec.Rerun is null
            && await ManifestProbe.CheckAsync(manifestLocation, spec.ManifestKeyColumn ?? "key", connections, cancellationToken) is { } manifestProblem)
            return new Outcome(new Dictionary<string, string> { ["manifest"] = manifestProblem }, null, false);
        if (spec.SkipExisting is { } skipExisting && await ExistingProblemAsync(skipExisting, cancellationToken) is { } skipProblem)
            return new Outcome(new Dictionary<string, string> { ["skipExisting"] = skipProblem }, null, false);

        if (await scheduling.BusyAsync(client, spec.Tenant, cancellationToken).ConfigureAwait(false) is { } busy)
            return new Outcome(errors, null, false) { Busy = busy };

        // Claimed and indexed first, atomically: of concurrent submissions of one id, one schedules it.
        // A job the list shows but that never started is skipped; one started but not listed is lost to the list.
        var (claimed, holder) = await index.ClaimAsync(spec.JobId, fingerprint, spec.Tenant, DateTimeOffset.UtcNow, cancellationToken);
        if (!claimed && await HeldAsync(client, spec.JobId, fingerprint, spec.Tenant, holder, cancellationToken) is { } existing)
            return existing;
        await client.ScheduleNewOrchestrationInstanceAsync(ActivityNames.BatchJob, JobState.Start(spec),
            new StartOrchestrationOptions { InstanceId = spec.JobId }, cancellationToken);
        return new Outcome(errors, spec.JobId, AlreadyExisted: false);
    }

    /// <summary>
    /// What a submission of a claimed id answers: 409 for another spec; the job for the same spec, once
    /// its instance exists or while its claimer may still be starting it; null when a claim of the same
    /// job is older than <see cref="ClaimTimeout"/> and never started: this submission starts it.
    /// </summary>
    private static async Task<Outcome?> HeldAsync(DurableTaskClient client, string jobId, string fingerprint, string? tenant, JobClaim claim, CancellationToken cancellationToken)
    {
        // Another tenant's job is a conflict like another spec, in the same words: never that job, never whose it is.
        // (The fingerprint covers the tenant; the tenant check also covers rows older than fingerprints.)
        if ((claim.Fingerprint is not null && claim.Fingerprint != fingerprint) || !string.Equals(claim.Tenant, tenant, StringComparison.Ordinal))
        {
            var conflict = $"job '{jobId}' was submitted before with another source, model, output or option; choose another id or purge that job first";
            return new Outcome(new Dictionary<string, string> { ["id"] = conflict }, null, false, conflict);
        }
        if (await client.GetInstanceAsync(jobId, cancellationToken) is not null || DateTimeOffset.UtcNow - claim.At < ClaimTimeout)
            return new Outcome(new Dictionary<string, string>(), jobId, AlreadyExisted: true);
        return null;
    }

    /// <summary>Why <paramref name="location"/> cannot serve as skipExisting (it holds no job's predictions), or null.</summary>
    private async Task<string?> ExistingProblemAsync(string location, CancellationToken cancellationToken)
    {
        try
        {
            await Merge.PredictionsReader.FilesAsync(ResultStoreFactory.Create(location, connections), cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (JobConfigurationException e)
        {
            return e.Message;
        }
        catch (StorageException e) when (!e.IsTransient)
        {
            return e.Message;
        }
    }

    /// <summary>Names a spec: equal for two submissions of the same job, different when any field differs.</summary>
    // The scheduling terms are the deployment's and the tenant's at submission, not the job's: the same job again matches.
    private static string Fingerprint(JobSpec spec) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(spec with { Scheduling = null }, BatchJson.Options)));

    /// <summary>A location as it will be stored: a local path made absolute against the local root, which it must stay inside.</summary>
    private string Location(string text, string field, Dictionary<string, string> errors)
    {
        if (!SourceUri.TryParse(text, out var location, out var error))
            errors[field] = error;
        else if (location.Kind != StorageKind.Local)
            return text;
        // file:///abs/path is placed by its decoded path; a bare path as written (relative to the root).
        else if (localRoot.Place(text.Contains("://", StringComparison.Ordinal) ? location.LocalPath : text) is not { } resolved)
            errors[field] = $"local path '{location.Original}' is outside the allowed root ({LocalRoot.Setting})";
        else
            return resolved;
        return text;
    }

    /// <summary>
    /// The model as stored: its name relative to the models root ('/' separated, as
    /// <see cref="ModelsRoot.NameOf"/> gives it), with its full path on this host beside; outside the root, an error.
    /// </summary>
    private string Model(string name, Dictionary<string, string> errors, out string fullPath)
    {
        // Whether the file is there is asked after the tenant's rules (SubmitAsync).
        if (modelsRoot.Resolve(name, out fullPath) is { } error)
            errors["model"] = error;
        return fullPath.Length > 0 ? modelsRoot.NameOf(fullPath) : name;
    }

    private static string NewJobId() => $"job-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Results go beside the source by default: <c>{bucket}/results/{jobId}</c>, or <c>{local root}/results/{jobId}</c> for a local folder.</summary>
    private string DefaultOutput(string jobId, JobRequest request)
    {
        if (SourceUri.TryParse(request.Source ?? request.Manifest, out var source, out _) && source.Kind != StorageKind.Local)
            return SourceUri.ObjectLocation(source.Kind, source.Container, $"results/{jobId}");
        return Path.Combine(localRoot.Path, "results", jobId);
    }
}
