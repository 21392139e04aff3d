namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// How a turn's new activities are spread over work-item messages. Each queue message costs a
/// send, a share of a receive and a delete, and an emulator such as Azurite scans the whole queue
/// on every delete and receive, so a fan-out of thousands of single-activity messages is bound
/// by the queue, not the workers. A large fan-out is therefore packed, several requests a
/// message, while still leaving at least <see cref="AzureStorageBackendOptions.MinWorkItemMessagesPerTurn"/>
/// messages so that other worker processes (and KEDA, which counts messages) see the work.
/// Turns that schedule few activities (the batch job's pages) are not packed at all.
/// </summary>
internal static class WorkItemPacking
{
    /// <summary>Activities per message for a turn that schedules <paramref name="activities"/> of them.</summary>
    public static int PackSize(int activities, AzureStorageBackendOptions options) =>
        Math.Clamp(activities / options.MinWorkItemMessagesPerTurn, 1, options.MaxActivitiesPerWorkItemMessage);

    /// <summary>The requests of one turn, cut into packs (in order).</summary>
    public static IReadOnlyList<ActivityRequest[]> Pack(IReadOnlyList<ActivityRequest> requests, AzureStorageBackendOptions options) =>
        requests.Chunk(PackSize(requests.Count, options)).ToArray();
}
