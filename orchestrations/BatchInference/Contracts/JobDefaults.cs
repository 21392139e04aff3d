namespace Serverless.BatchInference.Contracts;

/// <summary>Defaults of a job, bound from host.json's <c>batchInference</c> section.</summary>
public sealed class JobDefaults
{
    public const string SectionName = "batchInference";

    public int BatchSize { get; set; } = 32;
    public int PageSize { get; set; } = 1000;
    public int MaxBatchesInFlight { get; set; } = 16;
    public int Top { get; set; } = 5;

    /// <summary>Pages per execution of the job orchestrator before it continues as new (each page adds about six history events).</summary>
    public int PagesPerExecution { get; set; } = 200;
}
