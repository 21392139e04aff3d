using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Inference;
using Serverless.Jobs.Merge;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Jobs;

/// <summary>
/// The images a job's dashboard page shows: its sample rows (<see cref="ResultSamples"/>, from the
/// job's output) and thumbnails of them, read from the job's source with the host's credentials.
/// A thumbnail is only made of a key among the job's sample rows, and the job's locations pass the
/// same root check as the job's own reads (<see cref="JobResources.Source"/>), so the endpoint cannot be used to read
/// anything the job itself did not read. Samples are kept for a few seconds per job, since a page
/// asks for a few dozen thumbnails at once.
/// </summary>
public sealed class JobImages(JobResources resources, InferenceOptions inference, TimeProvider clock)
{
    private static readonly TimeSpan Keep = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Task<Lookup> Lookup)> recent = new(StringComparer.Ordinal);

    /// <summary>The outcome of a lookup: the value, or a problem (<see cref="JobImagesProblem"/>) with its detail.</summary>
    public sealed record Outcome<T>(T? Value, JobImagesProblem Problem = JobImagesProblem.None, string? Detail = null);

    /// <summary>The job's sample rows.</summary>
    public async Task<Outcome<ResultSamples>> SamplesAsync(DurableTaskClient client, string jobId, CancellationToken cancellationToken)
    {
        var lookup = await LookupAsync(client, jobId, cancellationToken).ConfigureAwait(false);
        return new Outcome<ResultSamples>(lookup.Samples, lookup.Problem, lookup.Detail);
    }

    /// <summary>A JPEG thumbnail of <paramref name="key"/>, at most <paramref name="size"/> pixels on its longer side.</summary>
    /// <param name="refuseSource">Judges the job's source before anything is read from it: a refusal's message, or null to go on (null: no judge).</param>
    public async Task<Outcome<byte[]>> ThumbnailAsync(DurableTaskClient client, string jobId, string key, int size, CancellationToken cancellationToken,
        Func<string, CancellationToken, Task<string?>>? refuseSource = null)
    {
        var lookup = await LookupAsync(client, jobId, cancellationToken).ConfigureAwait(false);
        if (lookup.Samples is null)
            return new Outcome<byte[]>(null, lookup.Problem, lookup.Detail);
        if (!lookup.Samples.Contains(key))
            return new Outcome<byte[]>(null, JobImagesProblem.NotListed, $"'{key}' is not among the sample images of job '{jobId}'.");
        if (refuseSource is not null && await refuseSource(lookup.Spec!.Source, cancellationToken).ConfigureAwait(false) is { } refusal)
            return new Outcome<byte[]>(null, JobImagesProblem.LocationRefused, refusal);
        IImageSource source;
        try
        {
            source = resources.Source(lookup.Spec!.Source);
        }
        catch (ArgumentException e)
        {
            return new Outcome<byte[]>(null, JobImagesProblem.LocationRefused, e.Message);
        }
        byte[] bytes;
        try
        {
            bytes = await source.ReadAllBytesAsync(key, resources.MaxEncodedBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.ObjectNotFound)
        {
            return new Outcome<byte[]>(null, JobImagesProblem.ImageGone, $"'{key}' is no longer in the job's source: {e.Message}");
        }
        catch (StorageException e)
        {
            return new Outcome<byte[]>(null, JobImagesProblem.StorageFailed, e.Message);
        }
        try
        {
            return new Outcome<byte[]>(await Task.Run(() => Thumbnailer.Render(bytes, size, inference), cancellationToken).ConfigureAwait(false));
        }
        catch (ImageRejectedException e)
        {
            return new Outcome<byte[]>(null, JobImagesProblem.Undecodable, $"{e.Code}: {e.Message}");
        }
    }

    private Task<Lookup> LookupAsync(DurableTaskClient client, string jobId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Only what was found is kept: a job that is not there yet (or whose results failed to read) is asked again.
        if (recent.TryGetValue(jobId, out var kept) && now - kept.At < Keep && (!kept.Lookup.IsCompleted || kept.Lookup is { IsCompletedSuccessfully: true, Result.Samples: not null }))
            return kept.Lookup.WaitAsync(cancellationToken);
        if (recent.Count > 256)
            foreach (var old in recent.Where(p => now - p.Value.At >= Keep).ToArray())
                recent.TryRemove(old);
        // Not tied to one request's cancellation: the lookup is shared by the requests of the next seconds.
        var lookup = LoadAsync(client, jobId, CancellationToken.None);
        recent[jobId] = (now, lookup);
        return lookup.WaitAsync(cancellationToken);
    }

    private async Task<Lookup> LoadAsync(DurableTaskClient client, string jobId, CancellationToken cancellationToken)
    {
        if (!JobRequestValidator.IsJobId(jobId) || await client.GetInstanceAsync(jobId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false) is not { } job
            || job.Name != ActivityNames.BatchJob)
            return Lookup.Failed(JobImagesProblem.UnknownJob, $"No job with id '{jobId}'.");
        JobSpec? spec;
        try
        {
            spec = JobSpecs.Of(job);
        }
        catch (JsonException)
        {
            spec = null;
        }
        if (spec is null)
            return Lookup.Failed(JobImagesProblem.UnknownJob, $"Job '{jobId}' has no readable input.");
        IResultStore results;
        try
        {
            results = resources.Results(spec.Output);
        }
        catch (ArgumentException e)
        {
            return Lookup.Failed(JobImagesProblem.LocationRefused, e.Message);
        }
        try
        {
            var samples = await new ResultWriter(results).ReadSamplesAsync(JobWorkArea.PartsFolder(spec.JobId), read: PartRows.SamplesAsync, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new Lookup(spec, samples, JobImagesProblem.None, null);
        }
        catch (Exception e) when (e is StorageException or FormatException)
        {
            return Lookup.Failed(JobImagesProblem.StorageFailed, $"The job's results cannot be read: {e.Message}");
        }
    }

    private sealed record Lookup(JobSpec? Spec, ResultSamples? Samples, JobImagesProblem Problem, string? Detail)
    {
        public static Lookup Failed(JobImagesProblem problem, string detail) => new(null, null, problem, detail);
    }
}

/// <summary>Why <see cref="JobImages"/> could not answer.</summary>
public enum JobImagesProblem
{
    None,
    UnknownJob,
    NotListed,
    LocationRefused,
    ImageGone,
    Undecodable,
    StorageFailed,
}
