using Serverless.BatchInference.Contracts;
using Serverless.BatchInference.Orchestrators;

namespace Serverless.BatchInference;

/// <summary>The job's orchestrators by name: what a host registers beside the activities.</summary>
public static class BatchOrchestrators
{
    public static IReadOnlyList<(string Name, Type Type)> All { get; } =
    [
        (ActivityNames.BatchJob, typeof(BatchJobOrchestrator)),
        (ActivityNames.ClassifyPage, typeof(ClassifyPageOrchestrator)),
    ];
}
