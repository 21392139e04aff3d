using Microsoft.Extensions.Options;
using Serverless.BatchInference.Contracts;
using Serverless.Storage;

namespace Serverless.Drops;

/// <summary>
/// Checks host.json's <c>drops</c> section when the host starts: a bad setting stops the host with
/// a message naming it, instead of failing every dropped object (or, for <c>top</c>, only the
/// receipt writes of large results).
/// </summary>
internal sealed class DropOptionsValidator : IValidateOptions<DropOptions>
{
    /// <summary>
    /// A receipt keeps its result's JSON in one table property, 64 KiB at most; 100 classes fit even
    /// with long labels (ImageNet's longest is under 100 characters).
    /// </summary>
    public const int MaxTop = 100;

    public ValidateOptionsResult Validate(string? name, DropOptions options)
    {
        var errors = new List<string>();
        if (options.PollInterval <= TimeSpan.Zero)
            errors.Add("drops:pollInterval must be positive");
        if (options.ClaimTimeout <= TimeSpan.Zero)
            errors.Add("drops:claimTimeout must be positive");
        if (options.RetryDelay < TimeSpan.Zero)
            errors.Add("drops:retryDelay must not be negative");
        if (options.MaxAttempts < 1)
            errors.Add("drops:maxAttempts must be at least 1");
        if (options.ListPageSize < 1)
            errors.Add("drops:listPageSize must be at least 1");
        if (options.IoConcurrency < 1)
            errors.Add("drops:ioConcurrency must be at least 1");
        if (options.WatermarkWindow < TimeSpan.Zero)
            errors.Add("drops:watermarkWindow must not be negative");
        if (options.SettledReceiptRetention <= TimeSpan.Zero)
            errors.Add("drops:settledReceiptRetention must be positive");
        if (options.SweepBatch < 1)
            errors.Add("drops:sweepBatch must be at least 1");
        for (var i = 0; i < options.Locations.Count; i++)
            errors.AddRange(ValidateLocation(options.Locations[i]).Select(e => $"drops:locations:{i}:{e}"));
        for (var i = 0; i < options.Jobs.Count; i++)
        {
            if (!SourceUri.TryParse(options.Jobs[i], out _, out var error))
                errors.Add($"drops:jobs:{i}: {error}");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static IEnumerable<string> ValidateLocation(DropLocationOptions location)
    {
        if (!SourceUri.TryParse(location.Source, out _, out var sourceError))
            yield return $"source: {sourceError}";
        if (!SourceUri.TryParse(location.Results, out _, out var resultsError))
            yield return $"results: {resultsError}";
        if (string.IsNullOrWhiteSpace(location.Model))
            yield return "model: a model path is required";
        if (location.BatchSize is < 1 or > JobRequestValidator.MaxBatchSize)
            yield return $"batchSize must be between 1 and {JobRequestValidator.MaxBatchSize}";
        if (location.MaxWaitMs < 0)
            yield return "maxWaitMs must not be negative";
        if (location.Top is < 1 or > MaxTop)
            yield return $"top must be between 1 and {MaxTop} (a receipt keeps the result in one 64 KiB table property)";
    }
}
