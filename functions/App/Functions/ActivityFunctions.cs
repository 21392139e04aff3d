using Microsoft.Azure.Functions.Worker;
using Serverless.Activities;
using Serverless.BatchInference.Contracts;

namespace Serverless.App.Functions;

/// <summary>The job's activities as activity triggers, each handing its input to the shared activity class.</summary>
public sealed class ActivityFunctions(
    CheckModelActivity checkModel, ListSourcePageActivity listSourcePage, ClassifyBatchActivity classifyBatch,
    RecordFailuresActivity recordFailures, RecordPageActivity recordPage, HealReadFailuresActivity healReadFailures,
    MergeShardActivity mergeShard, WriteResultsActivity writeResults, CleanWorkAreaActivity cleanWorkArea)
{
    [Function(ActivityNames.CheckModel)]
    public Task<CheckModelOutput> CheckModel([ActivityTrigger] CheckModelInput input, FunctionContext context) =>
        checkModel.RunAsync(new FunctionActivityContext(ActivityNames.CheckModel, context), input);

    [Function(ActivityNames.ListSourcePage)]
    public Task<ListPageOutput> ListSourcePage([ActivityTrigger] ListPageInput input, FunctionContext context) =>
        listSourcePage.RunAsync(new FunctionActivityContext(ActivityNames.ListSourcePage, context), input);

    [Function(ActivityNames.ClassifyBatch)]
    public Task<JobCounts> ClassifyBatch([ActivityTrigger] ClassifyBatchInput input, FunctionContext context) =>
        classifyBatch.RunAsync(new FunctionActivityContext(ActivityNames.ClassifyBatch, context), input);

    [Function(ActivityNames.RecordFailures)]
    public Task<JobCounts> RecordFailures([ActivityTrigger] RecordFailuresInput input, FunctionContext context) =>
        recordFailures.RunAsync(new FunctionActivityContext(ActivityNames.RecordFailures, context), input);

    [Function(ActivityNames.RecordPage)]
    public Task<bool> RecordPage([ActivityTrigger] RecordPageInput input, FunctionContext context) =>
        recordPage.RunAsync(new FunctionActivityContext(ActivityNames.RecordPage, context), input);

    [Function(ActivityNames.HealReadFailures)]
    public Task<JobCounts> HealReadFailures([ActivityTrigger] HealPageInput input, FunctionContext context) =>
        healReadFailures.RunAsync(new FunctionActivityContext(ActivityNames.HealReadFailures, context), input);

    [Function(ActivityNames.MergeShard)]
    public Task<bool> MergeShard([ActivityTrigger] MergeShardInput input, FunctionContext context) =>
        mergeShard.RunAsync(new FunctionActivityContext(ActivityNames.MergeShard, context), input);

    [Function(ActivityNames.WriteResults)]
    public Task<JobOutput> WriteResults([ActivityTrigger] WriteResultsInput input, FunctionContext context) =>
        writeResults.RunAsync(new FunctionActivityContext(ActivityNames.WriteResults, context), input);

    [Function(ActivityNames.CleanWorkArea)]
    public Task<long> CleanWorkArea([ActivityTrigger] JobSpec input, FunctionContext context) =>
        cleanWorkArea.RunAsync(new FunctionActivityContext(ActivityNames.CleanWorkArea, context), input);
}
