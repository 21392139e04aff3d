using System.Net;
using Azure;
using Azure.Data.Tables;
using Serverless.BatchInference.Contracts;

namespace Serverless.Jobs.Attempts;

/// <summary>
/// Counts the attempts of each batch in a table row (partition: job id, row: part name), begun
/// when the activity starts and ended when it returns or throws. An attempt begun and never
/// ended is one whose process died. DTFx delivers a message again after every visibility timeout,
/// for ever (Azure/durabletask #1040), and under a Functions host no middleware of ours runs, so
/// the cap lives here, in the activity: past <see cref="AttemptLedgerOptions.MaxAttempts"/>
/// crashed attempts the batch fails with <see cref="PoisonBatchException"/> without running.
/// </summary>
public sealed class AttemptLedger
{
    private readonly TableClient table;
    private readonly int maxAttempts;
    private readonly Lazy<Task> created;

    public AttemptLedger(AttemptLedgerOptions options)
    {
        if (options.MaxAttempts < 2)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxAttempts, "maxDequeueCount must be at least 2");
        table = new TableServiceClient(options.ConnectionString).GetTableClient(options.TableName);
        maxAttempts = options.MaxAttempts;
        created = new Lazy<Task>(() => table.CreateIfNotExistsAsync());
    }

    /// <summary>
    /// Counts a new attempt of <paramref name="part"/>; throws <see cref="PoisonBatchException"/>
    /// when its earlier attempts crashed <see cref="AttemptLedgerOptions.MaxAttempts"/> times.
    /// </summary>
    public async Task<BatchAttempt> BeginAsync(string jobId, string part, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        var row = RowKey(part);
        while (true)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(jobId, row, cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                if (!existing.HasValue)
                {
                    var added = await table.AddEntityAsync(new TableEntity(jobId, row) { [Starts] = 1, [Ends] = 0 }, cancellationToken).ConfigureAwait(false);
                    return new BatchAttempt(this, jobId, row, CrashesBefore: 0, added.Headers.ETag ?? ETag.All, 1, 0);
                }
                var entity = existing.Value!;
                var (starts, ends) = (entity.GetInt32(Starts) ?? 0, entity.GetInt32(Ends) ?? 0);
                var crashed = starts - ends;
                if (crashed >= maxAttempts)
                    throw new PoisonBatchException(
                        $"{part} of job {jobId} was not classified: its worker process died during each of its last {crashed} attempts");
                entity[Starts] = starts + 1;
                var updated = await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return new BatchAttempt(this, jobId, row, crashed, updated.Headers.ETag ?? ETag.All, starts + 1, ends);
            }
            catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
            {
                // Another attempt of the same batch (a redelivery racing this one) got there first: read again.
            }
        }
    }

    /// <summary>Counts the end of an attempt: it returned or threw, so its process did not die in it.</summary>
    internal async Task EndAsync(BatchAttempt attempt, CancellationToken cancellationToken)
    {
        var (etag, starts, ends) = (attempt.ETag, attempt.Starts, attempt.Ends);
        while (true)
        {
            try
            {
                await table.UpdateEntityAsync(new TableEntity(attempt.JobId, attempt.RowKey) { [Starts] = starts, [Ends] = ends + 1 },
                    etag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed)
            {
                var current = (await table.GetEntityAsync<TableEntity>(attempt.JobId, attempt.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
                (etag, starts, ends) = (current.ETag, current.GetInt32(Starts) ?? 0, current.GetInt32(Ends) ?? 0);
            }
        }
    }

    /// <summary>Deletes the rows of a job (its purge).</summary>
    public async Task DeleteJobAsync(string jobId, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {jobId}"), select: ["PartitionKey", "RowKey"],
                           cancellationToken: cancellationToken).ConfigureAwait(false))
            await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The parts of a job with attempts begun and not ended: running now, or crashed (diagnostics, tests).</summary>
    public async Task<IReadOnlyDictionary<string, (int Starts, int Ends)>> UnfinishedAsync(string jobId, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        var parts = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {jobId}"), cancellationToken: cancellationToken)
                           .ConfigureAwait(false))
        {
            var (starts, ends) = (row.GetInt32(Starts) ?? 0, row.GetInt32(Ends) ?? 0);
            if (starts > ends)
                parts[row.RowKey.Replace('|', '/')] = (starts, ends);
        }
        return parts;
    }

    /// <summary>The attempts row of a part, or null (tests and diagnostics).</summary>
    public async Task<(int Starts, int Ends)?> ReadAsync(string jobId, string part, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(jobId, RowKey(part), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? (row.Value!.GetInt32(Starts) ?? 0, row.Value!.GetInt32(Ends) ?? 0) : null;
    }

    // A RowKey may not hold '/': part names are paths (parts/part-000001-00002.jsonl).
    private static string RowKey(string part) => part.Replace('/', '|');

    private const string Starts = "Starts";
    private const string Ends = "Ends";
}
