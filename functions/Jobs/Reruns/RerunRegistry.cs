using System.Text.Json;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Reruns;

/// <summary>
/// The parent's record of its reruns. Each rerun writes a link object of its own
/// (<c>_reruns/&lt;parent&gt;/&lt;rerun&gt;.json</c> in the parent's output), which no other rerun
/// writes, so none is lost; then summary.json's <c>reruns</c> is made to list exactly those links.
/// The stores have no conditional write: two reruns submitted at once may each write the summary
/// with the links it saw, so each reads it back after writing and writes again until it lists them all.
/// </summary>
internal static class RerunRegistry
{
    private const int Rounds = 5;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The folder of <paramref name="parentId"/>'s links.</summary>
    public static string Folder(string parentId) => $"_reruns/{parentId}/";

    /// <summary>Records <paramref name="link"/> as a rerun of the job whose summary.json is at <paramref name="parent"/>.</summary>
    public static async Task AddAsync(IResultStore parent, string parentId, RerunLink link, CancellationToken cancellationToken)
    {
        await parent.WriteAsync($"{Folder(parentId)}{link.JobId}.json", JsonSerializer.SerializeToUtf8Bytes(link, Json), cancellationToken).ConfigureAwait(false);
        for (var round = 0; round < Rounds; round++)
        {
            var links = await ListAsync(parent, parentId, cancellationToken).ConfigureAwait(false);
            if (await RerunSubmission.SummaryOfAsync(parent, parentId, cancellationToken).ConfigureAwait(false) is not { } summary)
                return;
            if ((summary.Reruns ?? []).Select(r => r.JobId).Order(StringComparer.Ordinal).SequenceEqual(links.Select(r => r.JobId)))
                return;
            var listed = summary with { Reruns = [.. links.OrderBy(l => l.SubmittedAt).ThenBy(l => l.JobId, StringComparer.Ordinal)] };
            await parent.WriteAsync(ResultWriter.SummaryName, JsonSerializer.SerializeToUtf8Bytes(listed, Json), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The links of <paramref name="parentId"/>'s reruns, by job id.</summary>
    private static async Task<List<RerunLink>> ListAsync(IResultStore parent, string parentId, CancellationToken cancellationToken)
    {
        var links = new List<RerunLink>();
        await foreach (var name in parent.ListAsync(Folder(parentId), cancellationToken).ConfigureAwait(false))
        {
            if (name.EndsWith(".json", StringComparison.Ordinal)
                && JsonSerializer.Deserialize<RerunLink>(await parent.ReadAsync(name, cancellationToken).ConfigureAwait(false), Json) is { } link)
                links.Add(link);
        }
        return [.. links.OrderBy(l => l.JobId, StringComparer.Ordinal)];
    }
}
