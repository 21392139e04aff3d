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
    public async Task AddAsync(string jobId, DateTimeOffset submitted, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        var order = $"t-{Inverted(submitted)}-{jobId}";
        try
        {
            await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(Partition, "id-" + jobId) { ["Order"] = order }),
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(Partition, order) { ["JobId"] = jobId }),
            ], cancellationToken).ConfigureAwait(false);
        }
        catch (TableTransactionFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            // Submitted before: its place in the list is its first submission's.
        }
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
    public async IAsyncEnumerable<(string JobId, string Token)> NewestFirstAsync(string? after, DateTimeOffset? from, DateTimeOffset? to,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        // Newest first: the upper time bound is the lowest key, the lower bound the highest ('.' sorts after '-').
        var lowest = to is { } newest ? $"t-{Inverted(newest)}" : "t-";
        var highest = from is { } oldest ? $"t-{Inverted(oldest)}." : "t.";
        var filter = after is null || string.CompareOrdinal(FromToken(after), lowest) < 0
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {lowest} and RowKey lt {highest}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey gt {FromToken(after)} and RowKey lt {highest}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 200, select: ["RowKey", "JobId"], cancellationToken: cancellationToken)
                           .ConfigureAwait(false))
            yield return (row.GetString("JobId"), Token(row.RowKey));
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
