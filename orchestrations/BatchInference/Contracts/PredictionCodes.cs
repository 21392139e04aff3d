namespace Serverless.BatchInference.Contracts;

/// <summary>Failure codes the orchestrators act on.</summary>
public static class PredictionCodes
{
    /// <summary>An image whose read failed after the storage retries: the job tries it once more before the merge.</summary>
    public const string ReadFailed = "read_failed";
}
