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

    public JobIndex(string connectionString, string hubName)
    {
        table = new TableServiceClient(connectionString).GetTableClient(hubName + "Jobs");
        created = new Lazy<Task>(() => table.CreateIfNotExistsAsync());
    }

    /// <summary>Records a job (idempotent: a job id is recorded once, at its first submission).</summary>
    public Task AddAsync(string jobId, DateTimeOffset submitted, CancellationToken cancellationToken) =>
        AddAsync(jobId, submitted, null, cancellationToken);

    /// <summary>Records a job and its tenant (a <c>Tenant</c> column on both rows; none for no tenant).</summary>
    public async Task AddAsync(string jobId, DateTimeOffset submitted, string? tenant, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        var order = $"t-{DateTimeOffset.MaxValue.UtcTicks - submitted.UtcTicks:D19}-{jobId}";
        var byId = new TableEntity(Partition, "id-" + jobId) { ["Order"] = order };
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
        }
        catch (TableTransactionFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            // Submitted before: its place in the list is its first submission's.
        }
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

    /// <summary>Job ids newest first, from just after <paramref name="after"/> (a token from <see cref="Token"/>; null: the newest).</summary>
    public async IAsyncEnumerable<(string JobId, string Token)> NewestFirstAsync(string? after,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        var from = after is null ? "t-" : FromToken(after);
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {from} and RowKey lt {"t."}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey gt {from} and RowKey lt {"t."}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 200, select: ["RowKey", "JobId"], cancellationToken: cancellationToken)
                           .ConfigureAwait(false))
            yield return (row.GetString("JobId"), Token(row.RowKey));
    }

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
