using Serverless.BatchInference.Contracts;
using Serverless.BatchInference.Orchestrators;
using Serverless.Orchestrations;

namespace Serverless.BatchInference;

/// <summary>Registers the job's orchestrators; the host registers the activities that do the I/O.</summary>
public static class BatchInferenceRegistration
{
    public static DurableTaskRegistry AddBatchInferenceOrchestrators(this DurableTaskRegistry registry) =>
        registry
            .AddOrchestrator<BatchJobOrchestrator>(ActivityNames.BatchJob)
            .AddOrchestrator<ClassifyPageOrchestrator>(ActivityNames.ClassifyPage);
}
