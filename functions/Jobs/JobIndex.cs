using System.Net;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Serverless.Jobs;

/// <summary>
/// The jobs of a task hub, newest first: a table row per job (<c>{hub}Jobs</c>), written when it is
/// submitted. DTFx's instance query can filter neither by orchestrator name nor order by time, so
/// listing jobs from it gives pages shortened by page sub-orchestrations, in id order. Each job has
/// two rows in one partition: <c>t-{inverted ticks}-{id}</c>, which sorts newest first, and
/// <c>id-{id}</c>, which finds the first when the job is purged.
/// </summary>
public sealed class JobIndex
{
    private const string Partition = "jobs";
    private readonly TableClient table;
    private readonly Lazy<Task> created;

    /// <summary>Opens (and creates on first use) the table <c>{hubName}Jobs</c> of the task hub's account.</summary>
    public JobIndex(Configuration.TaskHubAccount account, string hubName)
    {
        table = account.Table(hubName + "Jobs");
        created = new Lazy<Task>(() => table.CreateIfNotExistsAsync());
    }

    /// <summary>
    /// Claims a job id for a submission (atomic: of concurrent claims of one id, one wins) and
    /// records the job in the list. <paramref name="fingerprint"/> names the job's spec, so a later
    /// submission of the id can tell the same job from another one; <paramref name="tenant"/> (null:
    /// none) is kept in a <c>Tenant</c> column on both rows, so listing and lookups can filter by it.
    /// </summary>
    /// <returns>Whether this call claimed the id; if not, the claim that holds it.</returns>
    public async Task<(bool Claimed, JobClaim Holder)> ClaimAsync(string jobId, string fingerprint, string? tenant, DateTimeOffset submitted, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        var order = $"t-{Inverted(submitted)}-{jobId}";
        var byId = new TableEntity(Partition, "id-" + jobId) { ["Order"] = order, ["Fingerprint"] = fingerprint };
        var byTime = new TableEntity(Partition, order) { ["JobId"] = jobId };
        if (tenant is not null)
        {
            byId[TenantColumn] = tenant;
            byTime[TenantColumn] = tenant;
        }
        try
        {
            await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.Add, byId),
                new TableTransactionAction(TableTransactionActionType.Add, byTime),
            ], cancellationToken).ConfigureAwait(false);
            return (true, new JobClaim(fingerprint, submitted, tenant));
        }
        catch (TableTransactionFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            // Submitted before: its place in the list is its first submission's.
            return (false, await ClaimOfAsync(jobId, cancellationToken).ConfigureAwait(false) ?? new JobClaim(null, submitted, null));
        }
    }

    /// <summary>The claim on a job id, or null when the id is free (never submitted, or purged).</summary>
    public async Task<JobClaim?> ClaimOfAsync(string jobId, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        var byId = await table.GetEntityIfExistsAsync<TableEntity>(Partition, "id-" + jobId, cancellationToken: cancellationToken).ConfigureAwait(false);
        // Rows written before fingerprints were kept have none: such a job matches any submission of its id, as it did.
        return byId.HasValue
            ? new JobClaim(byId.Value!.GetString("Fingerprint"), byId.Value.Timestamp ?? DateTimeOffset.MinValue, byId.Value.GetString(TenantColumn))
            : null;
    }

    /// <summary>The column of both rows that holds the job's tenant (absent: no tenant).</summary>
    public const string TenantColumn = "Tenant";

    /// <summary>Whether the index knows the job, and its tenant (null: none).</summary>
    public async Task<(bool Found, string? Tenant)> GetTenantAsync(string jobId, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, "id-" + jobId, [TenantColumn], cancellationToken).ConfigureAwait(false);
        return row.HasValue ? (true, row.Value!.GetString(TenantColumn)) : (false, null);
    }

    /// <summary>Forgets a purged job.</summary>
    public async Task RemoveAsync(string jobId, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        var byId = await table.GetEntityIfExistsAsync<TableEntity>(Partition, "id-" + jobId, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!byId.HasValue)
            return;
        if (byId.Value!.GetString("Order") is { } order)
            await table.DeleteEntityAsync(Partition, order, ETag.All, cancellationToken).ConfigureAwait(false);
        await table.DeleteEntityAsync(Partition, "id-" + jobId, ETag.All, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Job ids newest first, from just after <paramref name="after"/> (a token from <see cref="Token"/>;
    /// null: the newest), of jobs submitted from <paramref name="from"/> to <paramref name="to"/> (null: unbounded).
    /// </summary>
    public async IAsyncEnumerable<(string JobId, string Token, string? Tenant)> NewestFirstAsync(string? after, DateTimeOffset? from, DateTimeOffset? to,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        // Newest first: the upper time bound is the lowest key, the lower bound the highest ('.' sorts after '-').
        var lowest = to is { } newest ? $"t-{Inverted(newest)}" : "t-";
        var highest = from is { } oldest ? $"t-{Inverted(oldest)}." : "t.";
        var filter = after is null || string.CompareOrdinal(FromToken(after), lowest) < 0
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {lowest} and RowKey lt {highest}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey gt {FromToken(after)} and RowKey lt {highest}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 200, select: ["RowKey", "JobId", TenantColumn], cancellationToken: cancellationToken)
                           .ConfigureAwait(false))
            yield return (row.GetString("JobId"), Token(row.RowKey), row.GetString(TenantColumn));
    }

    private static string Inverted(DateTimeOffset time) => (DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether a continuation token is one this index gave.</summary>
    public static bool IsToken(string token)
    {
        try
        {
            return FromToken(token).StartsWith("t-", StringComparison.Ordinal);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Token(string rowKey) => Convert.ToBase64String(Encoding.UTF8.GetBytes(rowKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string FromToken(string token)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        return Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=')));
    }
}

/// <summary>Who holds a job id: the fingerprint of its spec (null for rows older than fingerprints), when it was claimed, and its tenant (null: none).</summary>
public sealed record JobClaim(string? Fingerprint, DateTimeOffset At, string? Tenant);
