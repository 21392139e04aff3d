using System.Collections.Concurrent;
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
/// An end that cannot be recorded (a storage blip after a good batch) is not a crash: the write is
/// retried within the end's budget, then kept in this process and written before the next begin,
/// so blips never make a healthy batch poison (<see cref="UnrecordedEnds"/>).
/// </summary>
public sealed class AttemptLedger
{
    private readonly TableClient table;
    private readonly int maxAttempts;
    private readonly Lazy<Task> created;
    private readonly ConcurrentDictionary<(string JobId, string RowKey), ConcurrentQueue<BatchAttempt>> unrecorded = new();

    public AttemptLedger(AttemptLedgerOptions options)
    {
        if (options.MaxAttempts < 2)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxAttempts, "maxDequeueCount must be at least 2");
        table = options.ClientOptions is null ? options.Account.Table(options.TableName) : options.Account.Table(options.TableName, options.ClientOptions);
        maxAttempts = options.MaxAttempts;
        EndTimeout = options.EndTimeout;
        created = new Lazy<Task>(() => table.CreateIfNotExistsAsync());
    }

    /// <summary>
    /// Counts a new attempt of <paramref name="part"/>; throws <see cref="PoisonBatchException"/>
    /// when its earlier attempts crashed <see cref="AttemptLedgerOptions.MaxAttempts"/> times.
    /// </summary>
    public async Task<BatchAttempt> BeginAsync(string jobId, string part, CancellationToken cancellationToken) =>
        (await BeginAsync(jobId, part, suspects: true, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// Counts a new attempt of <paramref name="part"/> unless an earlier attempt crashed: then, with
    /// <paramref name="suspects"/> false, nothing is counted and null says it is a suspect (it is to wait for
    /// its turn alone, <see cref="SuspectIsolation"/>, uncounted, then begin). A first attempt costs one insert.
    /// </summary>
    public async Task<BatchAttempt?> BeginAsync(string jobId, string part, bool suspects, CancellationToken cancellationToken)
    {
        await created.Value.ConfigureAwait(false);
        var row = RowKey(part);
        // Ends this process could not record are ends, not crashes: written first; those still
        // unwritten are not counted as crashes of this batch either.
        await RecordDeferredEndsAsync(cancellationToken).ConfigureAwait(false);
        // Inserted first: nearly every unit runs once, so its first attempt costs one request, not a read and an insert.
        var insert = true;
        while (true)
        {
            try
            {
                if (insert)
                {
                    var added = await table.AddEntityAsync(new TableEntity(jobId, row) { [Starts] = 1, [Ends] = 0 }, cancellationToken).ConfigureAwait(false);
                    return new BatchAttempt(this, jobId, row, CrashesBefore: 0, added.Headers.ETag ?? ETag.All, 1, 0);
                }
                var existing = await table.GetEntityIfExistsAsync<TableEntity>(jobId, row, cancellationToken: cancellationToken).ConfigureAwait(false);
                // Deleted meanwhile (the job was purged): insert again.
                insert = !existing.HasValue;
                if (insert)
                    continue;
                var entity = existing.Value!;
                var (starts, ends) = (entity.GetInt32(Starts) ?? 0, entity.GetInt32(Ends) ?? 0);
                var crashed = starts - ends - (unrecorded.TryGetValue((jobId, row), out var mine) ? mine.Count : 0);
                if (crashed >= maxAttempts)
                    throw new PoisonBatchException(
                        $"{part} of job {jobId} was not classified: its worker process died during each of its last {crashed} attempts");
                if (crashed > 0 && !suspects)
                    return null;
                entity[Starts] = starts + 1;
                var updated = await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return new BatchAttempt(this, jobId, row, crashed, updated.Headers.ETag ?? ETag.All, starts + 1, ends);
            }
            catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
            {
                // An earlier attempt's row, or another attempt of the same batch (a redelivery racing this one) got there first: read it.
                insert = false;
            }
        }
    }

    /// <summary>The most time an attempt's end may take to record before it is deferred (<see cref="AttemptLedgerOptions.EndTimeout"/>).</summary>
    public TimeSpan EndTimeout { get; }

    /// <summary>Attempts that ended in this process whose end could not be written yet: ended, not crashed.</summary>
    public int UnrecordedEnds => unrecorded.Values.Sum(q => q.Count);

    /// <summary>
    /// Counts the end of an attempt: it returned or threw, so its process did not die in it. A
    /// failing write is retried until <paramref name="cancellationToken"/>; then the end is kept to
    /// be written before the next begin. False when deferred so: the attempt still ended.
    /// </summary>
    internal async Task<bool> EndAsync(BatchAttempt attempt, CancellationToken cancellationToken)
    {
        try
        {
            await WriteEndAsync(attempt, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RequestFailedException or OperationCanceledException or HttpRequestException or TimeoutException or IOException)
        {
            unrecorded.GetOrAdd((attempt.JobId, attempt.RowKey), _ => new ConcurrentQueue<BatchAttempt>()).Enqueue(attempt);
            return false;
        }
    }

    private async Task WriteEndAsync(BatchAttempt attempt, CancellationToken cancellationToken)
    {
        var (etag, starts, ends) = (attempt.ETag, attempt.Starts, attempt.Ends);
        for (var failures = 0; ; )
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
            catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.NotFound)
            {
                return; // the job was purged: nothing to count
            }
            catch (Exception e) when (e is RequestFailedException or HttpRequestException or TimeoutException or IOException && !cancellationToken.IsCancellationRequested)
            {
                // A blip: retry (the etag path re-reads if another attempt wrote meanwhile).
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 << Math.Min(failures++, 5))), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Writes the ends deferred by earlier blips; those still failing stay for the next begin.
    private async Task RecordDeferredEndsAsync(CancellationToken cancellationToken)
    {
        foreach (var (key, queue) in unrecorded)
        {
            while (queue.TryPeek(out var attempt))
            {
                using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                budget.CancelAfter(EndTimeout);
                try
                {
                    await WriteEndAsync(attempt, budget.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RequestFailedException or OperationCanceledException or HttpRequestException or TimeoutException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                queue.TryDequeue(out _);
            }
            if (queue.IsEmpty)
                unrecorded.TryRemove(new KeyValuePair<(string, string), ConcurrentQueue<BatchAttempt>>(key, queue));
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
