namespace Serverless.BatchInference.Contracts;

/// <summary>
/// Instance ids of a job's page sub-orchestrations. They start with '~', which a job id cannot
/// (<see cref="JobRequestValidator"/>), so no prefix query of job ids ever returns a page: DTFx's
/// instance query has no filter on orchestrator name. '~' also sorts after every job id.
/// </summary>
public static class PageIds
{
    private const char Marker = '~';

    /// <summary>The id of page <paramref name="pageIndex"/> of job <paramref name="jobId"/>.</summary>
    public static string For(string jobId, int pageIndex) => $"{PrefixOf(jobId)}{pageIndex:D6}";

    /// <summary>The prefix shared by every page of <paramref name="jobId"/> and by nothing else.</summary>
    public static string PrefixOf(string jobId) => $"{Marker}{jobId}:page:";

    /// <summary>The job and page index a page's instance id names; false for any other id.</summary>
    public static bool TryParse(string instanceId, out string jobId, out int pageIndex)
    {
        const string separator = ":page:";
        var at = instanceId.LastIndexOf(separator, StringComparison.Ordinal);
        if (IsPage(instanceId) && at > 1 && int.TryParse(instanceId.AsSpan(at + separator.Length), System.Globalization.NumberStyles.None, null, out pageIndex))
        {
            jobId = instanceId[1..at];
            return true;
        }
        (jobId, pageIndex) = ("", -1);
        return false;
    }

    /// <summary>Whether an instance id is a page's (not a job's).</summary>
    public static bool IsPage(string instanceId) => instanceId.Length > 0 && instanceId[0] == Marker;
}
