using System.Diagnostics;
using Azure;
using Azure.Data.Tables;

namespace Serverless.Jobs.Progress;

/// <summary>
/// The images done so far by each running work unit, in a table of the task hub's account
/// (<c>{hub}UnitProgress</c>: partition the job id, row the page and part), so the progress a user
/// sees moves within a unit of hundreds of images, not only when it ends. A unit writes its row at
/// most once a second and once at its end; <see cref="LiveProgress"/> sums a running page's rows.
/// A unit that ends within its first second writes none: it showed nothing to move, and its page's
/// own status counts it as it ends (a write a unit was one in 25 of a short job's task-hub requests).
/// Best effort: a failed write is logged by the caller and never fails the unit.
/// </summary>
public sealed class UnitProgress
{
    private readonly TableClient table;
    private readonly Lazy<Task> created;

    private readonly TimeSpan interval;

    /// <summary>Opens (and creates on first use) the table <c>{hubName}UnitProgress</c>; a unit writes at most once per <paramref name="interval"/>.</summary>
    public UnitProgress(Configuration.TaskHubAccount account, string hubName, TimeSpan? interval = null)
    {
        this.interval = interval ?? TimeSpan.FromSeconds(1);
        table = account.Table(hubName + "UnitProgress");
        created = new Lazy<Task>(() => table.CreateIfNotExistsAsync());
    }

    /// <summary>Records that part <paramref name="part"/> of page <paramref name="page"/> has done this many images.</summary>
    public async Task ReportAsync(string jobId, int page, string part, long done, long failed, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(jobId, RowKey(page, part)) { [Done] = done, [Failed] = failed },
            TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The images done (and failed) by the units of page <paramref name="page"/>, summed over its rows.</summary>
    public async Task<(long Done, long Failed)> ReadPageAsync(string jobId, int page, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        var (from, to) = ($"{page:D6}|", $"{page:D6}}}");
        long done = 0, failed = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(
                           TableClient.CreateQueryFilter($"PartitionKey eq {jobId} and RowKey ge {from} and RowKey lt {to}"),
                           select: [Done, Failed], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            done += row.GetInt64(Done) ?? 0;
            failed += row.GetInt64(Failed) ?? 0;
        }
        return (done, failed);
    }

    /// <summary>Deletes the rows of a job (its purge).</summary>
    public async Task DeleteJobAsync(string jobId, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {jobId}"), select: ["PartitionKey", "RowKey"],
                           cancellationToken: cancellationToken).ConfigureAwait(false))
            await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A reporter for one unit that writes at most once per interval, and at the end when it wrote before or the unit ran an interval.</summary>
    public Reporter Start(string jobId, int page, string part) => new(this, jobId, page, part, interval);

    private static string RowKey(int page, string part) => $"{page:D6}|{part.Replace('/', '|')}";

    private const string Done = "Done";
    private const string Failed = "Failed";

    /// <summary>One unit's progress, throttled.</summary>
    public sealed class Reporter(UnitProgress owner, string jobId, int page, string part, TimeSpan interval)
    {
        private readonly Stopwatch since = Stopwatch.StartNew();
        private bool wrote;

        /// <summary>
        /// Writes the count when the last write (or the unit's start) is older than the interval, and at the end
        /// (<paramref name="final"/>) unless the unit wrote nothing and ran less than the interval; false when nothing was written.
        /// </summary>
        public async Task<bool> ReportAsync(long done, long failed, bool final, CancellationToken cancellationToken)
        {
            if (since.Elapsed < interval && (!final || !wrote))
                return false;
            await owner.ReportAsync(jobId, page, part, done, failed, cancellationToken).ConfigureAwait(false);
            wrote = true;
            since.Restart();
            return true;
        }
    }
}
