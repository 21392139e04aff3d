using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Serverless.Storage;

namespace Serverless.Jobs.Tenancy;

/// <summary>A tenant: the locations its jobs may read and write, and the folder of the models root its jobs may use.</summary>
/// <param name="Name">Lowercase letters, digits and '-', 1-63 characters.</param>
/// <param name="AllowSources">Patterns of the sources (and thumbnails) it may read.</param>
/// <param name="AllowOutputs">Patterns of the outputs it may write.</param>
/// <param name="ModelsDir">A folder inside the models root; null: the whole root.</param>
public sealed partial record Tenant(string Name, IReadOnlyList<string> AllowSources, IReadOnlyList<string> AllowOutputs, string? ModelsDir)
{
    /// <summary>Every error of the tenant by field (empty when valid): its name, each pattern, its models folder.</summary>
    public static Dictionary<string, string> Validate(string? name, IReadOnlyList<string>? sources, IReadOnlyList<string>? outputs, string? modelsDir)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (NameError(name) is { } nameError)
            errors["name"] = nameError;
        Patterns("allowSources", sources, errors);
        Patterns("allowOutputs", outputs, errors);
        if (modelsDir is not null && (modelsDir.Trim().Length == 0 || Path.IsPathRooted(modelsDir) || modelsDir.Contains('\0')
                || modelsDir.Split('/', '\\').Any(s => s is "." or "..")))
            errors["modelsDir"] = $"'{modelsDir}' must be a folder relative to the models root, without '.' or '..'";
        return errors;
    }

    /// <summary>Why <paramref name="name"/> cannot be a tenant's name; null when it can.</summary>
    public static string? NameError(string? name) =>
        name is not null && NamePattern().IsMatch(name) ? null : $"'{name}' is not a tenant name (1-63 lowercase letters, digits and '-', starting with a letter or digit)";

    /// <summary>Its share of saturated workers against other tenants of the same priority (1 or more; default 1).</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Soft quota: its work units queued or running at once (null: no limit); more wait for a slot.</summary>
    public int? MaxUnits { get; init; }

    /// <summary>Soft quota: its jobs running at once (null: no limit); more wait before they list.</summary>
    public int? MaxRunningJobs { get; init; }

    /// <summary>Hard limit: images in one job (null: no limit); a job that lists more stops, saying so.</summary>
    public long? MaxImagesPerJob { get; init; }

    /// <summary>Hard limit: its jobs waiting to start (null: no limit); a submission over it is a 429 with Retry-After.</summary>
    public int? MaxQueuedJobs { get; init; }

    /// <summary>Its weight and quotas as the scheduler applies them.</summary>
    public Serverless.BatchInference.Scheduling.TenantRules Rules() => new(Weight, MaxUnits, MaxRunningJobs, MaxImagesPerJob);

    /// <summary>Every error of a weight and the quotas by field (a zero would let nothing run: leave a quota out for no limit).</summary>
    public static Dictionary<string, string> ValidateShare(int? weight, int? maxUnits, int? maxRunningJobs, long? maxImagesPerJob, int? maxQueuedJobs)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (weight is < 1 or > 1000)
            errors["weight"] = $"{weight} is not a weight: 1 to 1000 (a weight of 0 would never get a slot)";
        void Quota(string field, long? value)
        {
            if (value is < 1)
                errors[field] = $"{value} is not a quota: 1 or more (0 would let none run; leave it out for no limit)";
        }
        Quota("maxUnits", maxUnits);
        Quota("maxRunningJobs", maxRunningJobs);
        Quota("maxImagesPerJob", maxImagesPerJob);
        Quota("maxQueuedJobs", maxQueuedJobs);
        return errors;
    }

    /// <summary>The parsed source patterns.</summary>
    [JsonIgnore]
    public IReadOnlyList<LocationPattern> SourcePatterns { get; } = AllowSources.Select(LocationPattern.Parse).ToArray();

    /// <summary>The parsed output patterns.</summary>
    [JsonIgnore]
    public IReadOnlyList<LocationPattern> OutputPatterns { get; } = AllowOutputs.Select(LocationPattern.Parse).ToArray();

    private static void Patterns(string field, IReadOnlyList<string>? patterns, Dictionary<string, string> errors)
    {
        if (patterns is null || patterns.Count == 0)
        {
            errors[field] = "at least one pattern is required (a location with a trailing '*', e.g. s3://images/team-a/*)";
            return;
        }
        var bad = patterns.Select(p => LocationPattern.TryParse(p, out _, out var error) ? null : error).Where(e => e is not null).ToArray();
        if (bad.Length > 0)
            errors[field] = string.Join("; ", bad);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex NamePattern();
}
