namespace Serverless.BatchInference.Contracts;

/// <summary>The job's custom status while it runs: progress counted in images against a known total.</summary>
public sealed record JobProgress(
    string Phase,
    long Done,
    long Failed,
    long? Total,
    long Listed,
    double ImagesPerSecond,
    double? EtaSeconds);

/// <summary>The job's output when it completes.</summary>
public sealed record JobOutput(
    string JobId,
    string Predictions,
    string Summary,
    long Images,
    long Failed,
    Dictionary<string, long> FailuresByReason,
    double ImagesPerSecond,
    double ElapsedSeconds,
    int Executions = 1);

/// <summary>A running page's custom status: images done so far in that page.</summary>
public sealed record PageProgress(long Done, long Failed);
