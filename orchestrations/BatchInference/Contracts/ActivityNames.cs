namespace Serverless.BatchInference.Contracts;

/// <summary>Names of the orchestrators and activities of a batch job, shared by orchestrators and host.</summary>
public static class ActivityNames
{
    public const string BatchJob = "BatchInferenceJob";
    public const string ClassifyPage = "ClassifyPage";
    public const string CheckModel = "CheckModel";
    public const string ListSourcePage = "ListSourcePage";
    public const string ClassifyBatch = "ClassifyBatch";
    public const string RecordFailures = "RecordFailures";
    public const string RecordPage = "RecordPage";
    public const string HealReadFailures = "HealReadFailures";
    public const string MergeShard = "MergeShard";
    public const string WriteResults = "WriteResults";
    public const string CleanWorkArea = "CleanWorkArea";

    /// <summary>The event a job raises to its running pages when it stops (error threshold): they start no more units.</summary>
    public const string StopEvent = "stop";
}
