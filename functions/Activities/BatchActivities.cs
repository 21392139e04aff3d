using Serverless.BatchInference.Contracts;

namespace Serverless.Activities;

/// <summary>The job's activities by name: what a host registers (the self-host's TaskHubWorker, the Functions app's triggers).</summary>
public static class BatchActivities
{
    public static IReadOnlyList<(string Name, Type Type)> All { get; } =
    [
        (ActivityNames.CheckModel, typeof(CheckModelActivity)),
        (ActivityNames.ListSourcePage, typeof(ListSourcePageActivity)),
        (ActivityNames.ClassifyBatch, typeof(ClassifyBatchActivity)),
        (ActivityNames.RecordFailures, typeof(RecordFailuresActivity)),
        (ActivityNames.RecordPage, typeof(RecordPageActivity)),
        (ActivityNames.HealReadFailures, typeof(HealReadFailuresActivity)),
        (ActivityNames.MergeShard, typeof(MergeShardActivity)),
        (ActivityNames.WriteResults, typeof(WriteResultsActivity)),
        (ActivityNames.CleanWorkArea, typeof(CleanWorkAreaActivity)),
    ];
}
