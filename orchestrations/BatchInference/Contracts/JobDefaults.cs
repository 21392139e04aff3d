namespace Serverless.BatchInference.Contracts;

/// <summary>Defaults of a job, bound from host.json's <c>batchInference</c> section.</summary>
public sealed class JobDefaults
{
    public const string SectionName = "batchInference";

    public int BatchSize { get; set; } = 32;
    public int PageSize { get; set; } = 1000;
    public int MaxBatchesInFlight { get; set; } = 16;
    public int Top { get; set; } = 5;

    /// <summary>
    /// The most memory one batch's input tensor may take: batch size x channels x width x height x 4
    /// bytes (a batch of 1,024 at 224x224 is 600 MiB, and a classifier keeps a few). A job whose batch
    /// would be larger fails at once, saying so, before any batch runs.
    /// </summary>
    public long MaxBatchTensorBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Pages per execution of the job orchestrator before it continues as new (each page adds about six history events).</summary>
    public int PagesPerExecution { get; set; } = 200;
}
