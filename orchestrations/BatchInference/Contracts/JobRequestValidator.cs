using System.Text.RegularExpressions;

namespace Serverless.BatchInference.Contracts;

/// <summary>
/// Checks a <see cref="JobRequest"/> field by field and turns it into a <see cref="JobSpec"/>.
/// Only what can be known without I/O is checked here; an unknown bucket or a model with the
/// wrong input shape fails the job later with its reason.
/// </summary>
public static partial class JobRequestValidator
{
    public const int MaxBatchSize = 1024;

    /// <summary>Validates; on success <paramref name="spec"/> is set and the error list is empty.</summary>
    /// <param name="newJobId">Makes the id when the caller gave none.</param>
    /// <param name="defaultOutput">The output location when the caller gave none, from the job id.</param>
    public static IReadOnlyDictionary<string, string> Validate(
        JobRequest request, JobDefaults defaults, Func<string> newJobId, Func<string, JobRequest, string> defaultOutput, out JobSpec? spec)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        spec = null;
        if (request.Id is { } id && !JobIdPattern().IsMatch(id))
            errors["id"] = "must be 1-100 characters of letters, digits, '-', '_' or '.'";
        var manifest = request.Manifest?.Trim();
        if (manifest is { Length: > 0 } && !string.IsNullOrWhiteSpace(request.Source))
            errors["manifest"] = "give either source or manifest, not both";
        else if (manifest is { Length: > 0 } && !ManifestPattern().IsMatch(manifest))
            errors["manifest"] = "must name a .csv or .jsonl (.ndjson) file, or an inventory's manifest.json (S3 Inventory's manifest.json, an Azure Blob inventory's <rule>-manifest.json)";
        else if (manifest is { Length: > 0 } && manifest.Contains('\0'))
            errors["manifest"] = "may not contain a NUL character";
        else if (request.Manifest is not null && manifest is not { Length: > 0 })
            errors["manifest"] = "is empty";
        else if (manifest is null && string.IsNullOrWhiteSpace(request.Source))
            errors["source"] = "is required (s3://bucket/prefix, azblob://container/prefix or a local path), or a manifest";
        if (request.ManifestKeyColumn is { } keyColumn && (manifest is null || keyColumn.Trim().Length == 0))
            errors["manifestKeyColumn"] = manifest is null ? "is only for a manifest" : "is empty";
        if (string.IsNullOrWhiteSpace(request.Model))
            errors["model"] = "is required (path of an .onnx file)";
        if (request.BatchSize is { } batch && batch is < 1 or > MaxBatchSize)
            errors["batchSize"] = $"must be between 1 and {MaxBatchSize}";
        if (request.Top is { } top && top is < 1 or > 1000)
            errors["top"] = "must be between 1 and 1000";
        var format = (request.Format ?? "jsonl").ToLowerInvariant();
        if (format is not ("jsonl" or "csv" or "parquet"))
            errors["format"] = "must be jsonl, csv or parquet";
        if (request.Preset is { } preset && preset.ToLowerInvariant() is not ("imagenet" or "caffe" or "vit"))
            errors["preset"] = "must be imagenet, caffe or vit";
        if (request.MaxUnitsInFlight is < 1 or > MaxUnitsInFlightLimit)
            errors["maxUnitsInFlight"] = $"must be between 1 and {MaxUnitsInFlightLimit}";
        if (request.MaxFailedImages is < 0)
            errors["maxFailedImages"] = "must be 0 or more";
        if (request.MaxFailedPercent is { } pct && (pct < 0 || pct > 100 || double.IsNaN(pct)))
            errors["maxFailedPercent"] = "must be between 0 and 100";
        if (request.SkipExisting is { } skip && (skip.Trim().Length == 0 || skip.Contains('\0')))
            errors["skipExisting"] = skip.Contains('\0') ? "may not contain a NUL character" : "is empty: give the output location of an earlier job";
        if (request.Priority is { } priority && JobPriority.Parse(priority) is null)
            errors["priority"] = JobPriority.Error(priority);
        if (OutputsProblem(request.Outputs, format) is { } outputsProblem)
            errors["outputs"] = outputsProblem;
        if (errors.Count > 0)
            return errors;

        var jobId = request.Id ?? newJobId();
        spec = new JobSpec(
            JobId: jobId,
            Source: manifest is null ? request.Source!.Trim() : ManifestFolder(manifest),
            Model: request.Model!.Trim(),
            Preset: request.Preset?.ToLowerInvariant(),
            BatchSize: request.BatchSize ?? defaults.BatchSize,
            PageSize: Math.Max(defaults.PageSize, 1),
            MaxBatchesInFlight: Math.Max(defaults.MaxBatchesInFlight, 1),
            Output: string.IsNullOrWhiteSpace(request.Output) ? defaultOutput(jobId, request) : request.Output.Trim(),
            Format: format,
            Top: request.Top ?? defaults.Top,
            MaxFailedImages: request.MaxFailedImages,
            MaxFailedPercent: request.MaxFailedPercent,
            PagesPerExecution: Math.Max(defaults.PagesPerExecution, 1),
            ImagesPerTask: Math.Max(defaults.ImagesPerTask, 1),
            PagesPerShard: Math.Max(defaults.PagesPerShard, 1),
            SingleFileMaxImages: Math.Max(defaults.SingleFileMaxImages, 0))
        {
            Manifest = manifest,
            ManifestKeyColumn = manifest is null ? null : request.ManifestKeyColumn?.Trim() ?? "key",
            KeepWorkArea = request.KeepWorkArea ?? defaults.KeepWorkArea,
            PagesInFlight = PagesInFlight(request.MaxUnitsInFlight ?? defaults.MaxUnitsInFlight, defaults),
            SkipExisting = request.SkipExisting?.Trim(),
            Outputs = request.Outputs is { Count: > 0 } outputs ? outputs.Select(o => o.Trim()).ToArray() : null,
            Priority = JobPriority.Parse(request.Priority) ?? JobPriority.Normal,
        };
        return errors;
    }

    /// <summary>The most named outputs a job may store.</summary>
    public const int MaxOutputs = 16;

    /// <summary>Field and column names of a row: an output may not take one (its field or column would clash).</summary>
    public static IReadOnlySet<string> RowFieldNames { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "key", "top", "errorCode", "errorMessage", "modelSha256", "etag", "size", "lastModified",
        "last_modified", "top_indices", "top_labels", "top_scores", "label", "score", "error_code", "error_message", "model_sha256",
    };

    // What can be judged without the model; whether the model has these outputs is CheckModel's (the job fails at start).
    private static string? OutputsProblem(IReadOnlyList<string>? outputs, string format)
    {
        if (outputs is null)
            return null;
        if (outputs.Count == 0)
            return "is empty: name the model outputs to store (serverless inspect-model lists them), or leave it out";
        if (format == "csv")
            return "is not available with format csv (a vector per image has no CSV column); use jsonl or parquet";
        if (outputs.Count > MaxOutputs)
            return $"names {outputs.Count} outputs; at most {MaxOutputs}";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in outputs)
        {
            var name = raw?.Trim() ?? "";
            if (name.Length is 0 or > 256 || name.Any(char.IsControl))
                return $"'{raw}' is not an output name (1-256 characters, no control characters)";
            if (RowFieldNames.Contains(name))
                return $"'{name}' is a field of every row; an output may not take its name";
            if (!seen.Add(name))
                return $"names '{name}' twice";
        }
        return null;
    }

    /// <summary>The most units a job may run at once (a page orchestrator is in flight for each page they span).</summary>
    public const int MaxUnitsInFlightLimit = 1024;

    /// <summary>
    /// Pages a job runs at once to keep <paramref name="maxUnitsInFlight"/> units in flight: a page runs
    /// ceil(pageSize / imagesPerTask) units, at most maxBatchesInFlight at a time.
    /// </summary>
    public static int PagesInFlight(int maxUnitsInFlight, JobDefaults defaults)
    {
        var unitsPerPage = Math.Min((Math.Max(defaults.PageSize, 1) + Math.Max(defaults.ImagesPerTask, 1) - 1) / Math.Max(defaults.ImagesPerTask, 1), Math.Max(defaults.MaxBatchesInFlight, 1));
        return Math.Clamp((Math.Clamp(maxUnitsInFlight, 1, MaxUnitsInFlightLimit) + unitsPerPage - 1) / unitsPerPage, 1, MaxUnitsInFlightLimit);
    }

    /// <summary>
    /// Where a manifest's keys are read from: its bucket or container (keys are object keys there),
    /// or, for a local manifest, its folder (keys are paths relative to it).
    /// </summary>
    public static string ManifestFolder(string manifest)
    {
        var scheme = manifest.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0 && !manifest.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            var slash = manifest.IndexOf('/', scheme + 3);
            return slash < 0 ? manifest : manifest[..(slash + 1)];
        }
        var last = manifest.LastIndexOf('/');
        return last < 0 ? "." : manifest[..(last + 1)];
    }

    // An inventory's manifest by name: S3 Inventory's manifest.json, an Azure Blob inventory's <rule>-manifest.json.
    [GeneratedRegex(@"(\.(csv|jsonl|ndjson)|(^|[/-])manifest\.json)$", RegexOptions.IgnoreCase)]
    private static partial Regex ManifestPattern();

    /// <summary>Whether <paramref name="id"/> could be a job's id (1-100 letters, digits, '-', '_', '.').</summary>
    public static bool IsJobId(string? id) => id is not null && JobIdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex JobIdPattern();
}
