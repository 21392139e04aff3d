namespace Serverless.BatchInference.Contracts;

/// <summary>
/// A validated job with every default filled in: the input of <see cref="Orchestrators.BatchJobOrchestrator"/>.
/// <c>Tenant</c> is the tenant of the key that submitted it (null: the implicit tenant of a host without tenants, or the master key).
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
    string? Tenant = null);
