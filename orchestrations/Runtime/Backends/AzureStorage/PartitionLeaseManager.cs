using System.Collections.Concurrent;
using System.Diagnostics;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// Owns control-queue partitions through blob leases, one lease blob per partition in the
/// lease container. Every cycle it renews the leases it holds, acquires free ones (never held,
/// expired when their worker died, released on shutdown) up to its fair share, and steals one
/// partition from a worker holding more than its share, so a new worker gets work. A lease that
/// fails to renew is lost: the backend stops fetching from that queue and drops its cached
/// instances. Correctness does not rest on leases alone: every history commit is fenced by the
/// instance's ETag.
/// </summary>
internal sealed class PartitionLeaseManager : IAsyncDisposable
{
    /// <summary>Lease blob metadata key naming the owner.</summary>
    public const string OwnerMetadataKey = "owner";

    private readonly BlobContainerClient _container;
    private readonly TaskHubNames _names;
    private readonly string _workerId;
    private readonly TimeSpan _leaseDuration;
    private readonly TimeSpan _renewInterval;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<int, OwnedLease> _owned = new();
    private readonly SemaphoreSlim _cycleLock = new(1, 1);
    private CancellationTokenSource? _loopCancellation;
    private Task? _loop;

    public PartitionLeaseManager(BlobContainerClient container, TaskHubNames names, string workerId, TimeSpan leaseDuration, TimeSpan renewInterval, ILogger logger)
    {
        _container = container;
        _names = names;
        _workerId = workerId;
        _leaseDuration = leaseDuration;
        _renewInterval = renewInterval;
        _logger = logger;
    }

    /// <summary>Raised (on the lease loop) after a partition was acquired.</summary>
    public event Action<int>? PartitionAcquired;

    /// <summary>Raised after a partition was lost or released; its queue must not be read any more.</summary>
    public event Action<int>? PartitionLost;

    /// <summary>The lease blob of <paramref name="partition"/>.</summary>
    public static string LeaseBlobName(int partition) => $"partition-{partition:D2}";

    /// <summary>The partitions held now, by lease and by clock (a lease not renewed within its duration is not trusted).</summary>
    public IReadOnlyList<int> OwnedPartitions => _owned.Where(p => IsFresh(p.Value)).Select(p => p.Key).Order().ToArray();

    /// <summary>True while <paramref name="partition"/> is held and its last renewal is within the lease duration.</summary>
    public bool Owns(int partition) => _owned.TryGetValue(partition, out var lease) && IsFresh(lease);

    /// <summary>Creates the lease blobs if missing. Idempotent.</summary>
    public async Task EnsureLeaseBlobsAsync(CancellationToken cancellationToken)
    {
        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        for (var partition = 0; partition < _names.PartitionCount; partition++)
        {
            try
            {
                await _container.GetBlobClient(LeaseBlobName(partition)).UploadAsync(
                    BinaryData.FromString(_names.ControlQueue(partition)),
                    new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Exists already (possibly leased by another worker).
            }
        }
    }

    /// <summary>Runs the first cycle now (so partitions are owned when this returns), then one every renew interval.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureLeaseBlobsAsync(cancellationToken).ConfigureAwait(false);
        await RunCycleAsync(cancellationToken).ConfigureAwait(false);
        _loopCancellation = new CancellationTokenSource();
        _loop = Task.Run(() => LoopAsync(_loopCancellation.Token), CancellationToken.None);
    }

    /// <summary>Stops the loop and releases every lease so other workers take the partitions at once.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loopCancellation is not null)
        {
            await _loopCancellation.CancelAsync().ConfigureAwait(false);
            try
            {
                if (_loop is not null)
                    await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            _loopCancellation.Dispose();
            _loopCancellation = null;
            _loop = null;
        }
        foreach (var partition in _owned.Keys.ToArray())
        {
            if (!_owned.TryRemove(partition, out var lease))
                continue;
            PartitionLost?.Invoke(partition);
            try
            {
                await lease.Client.ReleaseAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("Worker {Worker} released partition {Partition}", _workerId, partition);
            }
            catch (RequestFailedException e)
            {
                _logger.LogDebug(e, "Releasing partition {Partition} failed; the lease will expire", partition);
            }
        }
    }

    /// <summary>One renew / acquire / balance pass. Public for tests that drive it step by step.</summary>
    public async Task RunCycleAsync(CancellationToken cancellationToken)
    {
        await _cycleLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RenewOwnedAsync(cancellationToken).ConfigureAwait(false);
            var snapshot = await ReadLeasesAsync(cancellationToken).ConfigureAwait(false);
            var owners = snapshot.Where(s => s.Value.Leased && s.Value.Owner is not null && !_owned.ContainsKey(s.Key))
                .GroupBy(s => s.Value.Owner!).ToDictionary(g => g.Key, g => g.Select(s => s.Key).ToList());
            owners.Remove(_workerId);
            var target = (int)Math.Ceiling(_names.PartitionCount / (double)(owners.Count + 1));
            foreach (var (partition, lease) in snapshot.OrderBy(s => s.Key))
            {
                // Leases this worker id still holds from an earlier run of the process come back at once.
                if (lease.Leased && lease.Owner == _workerId && !_owned.ContainsKey(partition))
                    await TryAcquireAsync(partition, cancellationToken).ConfigureAwait(false);
            }
            foreach (var (partition, lease) in snapshot.OrderBy(s => s.Key))
            {
                if (_owned.Count >= target)
                    break;
                if (!lease.Leased && !_owned.ContainsKey(partition))
                    await TryAcquireAsync(partition, cancellationToken).ConfigureAwait(false);
            }
            if (_owned.Count < target)
            {
                // Steal one partition per cycle from the busiest owner above its share.
                var busiest = owners.OrderByDescending(o => o.Value.Count).FirstOrDefault();
                if (busiest.Value is { Count: var count } && count > target)
                {
                    var victim = busiest.Value.Max();
                    _logger.LogInformation("Worker {Worker} steals partition {Partition} from {Owner} ({Count} > {Target})", _workerId, victim, busiest.Key, count, target);
                    try
                    {
                        await _container.GetBlobClient(LeaseBlobName(victim)).GetBlobLeaseClient().BreakAsync(TimeSpan.Zero, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }
                    catch (RequestFailedException e)
                    {
                        _logger.LogDebug(e, "Breaking the lease of partition {Partition} failed", victim);
                    }
                    await TryAcquireAsync(victim, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _cycleLock.Release();
        }
    }

    /// <summary>Reads every partition's lease state and recorded owner.</summary>
    public async Task<IReadOnlyDictionary<int, PartitionLeaseInfo>> ReadLeasesAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<int, PartitionLeaseInfo>();
        var byName = Enumerable.Range(0, _names.PartitionCount).ToDictionary(LeaseBlobName);
        await foreach (var blob in _container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken).ConfigureAwait(false))
        {
            if (!byName.TryGetValue(blob.Name, out var partition))
                continue;
            var leased = blob.Properties.LeaseState == LeaseState.Leased;
            blob.Metadata.TryGetValue(OwnerMetadataKey, out var owner);
            result[partition] = new PartitionLeaseInfo(leased, leased ? owner : null);
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _cycleLock.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(_renewInterval, cancellationToken).ConfigureAwait(false);
            try
            {
                await RunCycleAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Partition lease cycle of worker {Worker} failed", _workerId);
            }
        }
    }

    private async Task RenewOwnedAsync(CancellationToken cancellationToken)
    {
        foreach (var (partition, lease) in _owned.ToArray())
        {
            try
            {
                await lease.Client.RenewAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                lease.Renewed.Restart();
            }
            catch (RequestFailedException e) when (e.Status is 400 or 404 or 409 or 412)
            {
                _logger.LogWarning("Worker {Worker} lost partition {Partition}: {Error}", _workerId, partition, e.ErrorCode ?? e.Message);
                Lose(partition);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A transient failure: keep the lease until the clock says it has expired.
                if (!IsFresh(lease))
                {
                    _logger.LogWarning(e, "Worker {Worker} could not renew partition {Partition} in time", _workerId, partition);
                    Lose(partition);
                }
            }
        }
    }

    private async Task TryAcquireAsync(int partition, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(LeaseBlobName(partition));
        var client = blob.GetBlobLeaseClient(LeaseIdOf(_workerId, partition).ToString());
        try
        {
            var started = Stopwatch.StartNew();
            await client.AcquireAsync(_leaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
            await blob.SetMetadataAsync(
                new Dictionary<string, string> { [OwnerMetadataKey] = _workerId },
                new BlobRequestConditions { LeaseId = client.LeaseId },
                cancellationToken).ConfigureAwait(false);
            _owned[partition] = new OwnedLease(client, started);
            _logger.LogInformation("Worker {Worker} acquired partition {Partition}", _workerId, partition);
            PartitionAcquired?.Invoke(partition);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Another worker was faster.
        }
    }

    /// <summary>
    /// The lease id a worker uses for a partition: derived from the worker id, so a process
    /// restarted under the same id re-acquires its unexpired leases instead of waiting for them
    /// to expire. Worker ids must therefore be unique among live processes.
    /// </summary>
    public static Guid LeaseIdOf(string workerId, int partition)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{workerId}/{partition}"));
        return new Guid(hash.AsSpan(0, 16));
    }

    private void Lose(int partition)
    {
        if (_owned.TryRemove(partition, out _))
            PartitionLost?.Invoke(partition);
    }

    // A small margin so that a lease about to expire is not trusted for a commit.
    private bool IsFresh(OwnedLease lease) => lease.Renewed.Elapsed < _leaseDuration - TimeSpan.FromSeconds(1);

    private sealed record OwnedLease(BlobLeaseClient Client, Stopwatch Renewed);
}

/// <summary>A partition's lease as read from its blob: whether it is held and by whom.</summary>
public sealed record PartitionLeaseInfo(bool Leased, string? Owner);
