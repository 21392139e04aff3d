using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Serverless.Storage;

namespace Serverless.Jobs.Tenancy;

/// <summary>
/// The tenants and their keys, kept beside the host keys in the task hub's storage:
/// <c>serverless-secrets/{hub}/tenants.json</c>. Every process reads it again when its copy is older
/// than <c>tenants:reloadSeconds</c> (default 2; a conditional read, so an unchanged document costs
/// no download), so a change made through any process applies everywhere without a restart. A
/// document that does not parse is not used: the last good one stays in force, the log says so
/// once per version, and <see cref="TenantSnapshot.Problem"/> says so to the admin routes.
/// Changes are read-modify-write with the blob's ETag, so concurrent admins do not lose each other's.
/// </summary>
public sealed class TenantStore
{
    public const string ContainerName = "serverless-secrets";
    public const string ReloadSetting = "tenants:reloadSeconds";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly BlobContainerClient container;
    private readonly BlobClient blob;
    private readonly TimeSpan maxAge;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly SemaphoreSlim gate = new(1, 1);
    private State? state;

    /// <param name="account">The task hub's storage account.</param>
    /// <param name="hubName">The task hub (each hub has its own tenants).</param>
    /// <param name="maxAge">How old a read may be before the next request reads again.</param>
    public TenantStore(Configuration.TaskHubAccount account, string hubName, TimeSpan maxAge, TimeProvider time, ILogger<TenantStore> logger)
    {
        container = account.Container(ContainerName);
        BlobName = $"{hubName.ToLowerInvariant()}/tenants.json";
        blob = container.GetBlobClient(BlobName);
        this.maxAge = maxAge;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>Where the document lives, for messages.</summary>
    public string Location => $"{ContainerName}/{BlobName}";

    private string BlobName { get; }

    /// <summary>The tenants as of at most the reload interval ago.</summary>
    public async ValueTask<TenantSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref state) is { } current && time.GetUtcNow() - current.ReadAt < maxAge)
            return current.Snapshot;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (state is { } fresh && time.GetUtcNow() - fresh.ReadAt < maxAge)
                return fresh.Snapshot;
            var next = await ReadAsync(state, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref state, next);
            return next.Snapshot;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the stored document and writes the result, again from a
    /// fresh read when another process wrote in between. A change that returns the same document writes nothing.
    /// </summary>
    public async Task<T> UpdateAsync<T>(Func<TenantDocument, (TenantDocument Document, T Result)> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var read = await ReadAsync(null, cancellationToken).ConfigureAwait(false);
            var (next, result) = change(read.Snapshot.Document);
            if (ReferenceEquals(next, read.Snapshot.Document))
                return result;
            if (read.Snapshot.Problem is not null)
                logger.LogWarning("Replacing the tenants document {Location}, which does not parse, with the last good one changed.", Location);
            try
            {
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                var conditions = read.ETag is { } etag ? new BlobRequestConditions { IfMatch = etag } : new BlobRequestConditions { IfNoneMatch = ETag.All };
                await blob.UploadAsync(BinaryData.FromObjectAsJson(next, Json), new BlobUploadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                continue;
            }
            // This process sees its own change at once; the others within their reload interval.
            Volatile.Write(ref state, null);
            return result;
        }
        throw new InvalidOperationException($"the tenants document {Location} kept changing under this update; try again");
    }

    private async Task<State> ReadAsync(State? previous, CancellationToken cancellationToken)
    {
        BinaryData content;
        ETag etag;
        try
        {
            var conditions = previous?.ETag is { } known ? new BlobRequestConditions { IfNoneMatch = known } : null;
            var response = await blob.DownloadContentAsync(new BlobDownloadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            if (response.GetRawResponse().Status == 304)
                return previous! with { ReadAt = time.GetUtcNow() };
            content = response.Value.Content;
            etag = response.Value.Details.ETag;
        }
        catch (RequestFailedException e) when (e.Status == 304 && previous is not null)
        {
            return previous with { ReadAt = time.GetUtcNow() };
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return new State(TenantSnapshot.Empty, null, time.GetUtcNow(), LastGood: TenantSnapshot.Empty);
        }

        var lastGood = previous?.LastGood ?? state?.LastGood ?? TenantSnapshot.Empty;
        try
        {
            var snapshot = new TenantSnapshot(Parse(content));
            return new State(snapshot, etag, time.GetUtcNow(), snapshot);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            var problem = $"the tenants document {Location} does not parse ({e.Message}); the last good one stays in force";
            if (previous?.ETag != etag)
                logger.LogWarning("The tenants document {Location} does not parse ({Error}); the last good one stays in force ({Tenants} tenants, {Keys} keys).",
                    Location, e.Message, lastGood.Document.Tenants.Count, lastGood.Document.Keys.Count);
            return new State(new TenantSnapshot(lastGood.Document, problem), etag, time.GetUtcNow(), lastGood);
        }
    }

    /// <summary>Reads and checks a stored document: every tenant valid, names unique, every key's hash well formed.</summary>
    internal static TenantDocument Parse(BinaryData content)
    {
        var document = content.ToObjectFromJson<TenantDocument>(Json) ?? throw new JsonException("the document is empty");
        if (document.Tenants is null || document.Keys is null)
            throw new JsonException("the document needs 'tenants' and 'keys' arrays");
        foreach (var tenant in document.Tenants)
        {
            var errors = Tenant.Validate(tenant?.Name, tenant?.AllowSources, tenant?.AllowOutputs, tenant?.ModelsDir);
            if (errors.Count > 0)
                throw new FormatException($"tenant '{tenant?.Name}': " + string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")));
        }
        if (document.Tenants.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new FormatException($"tenant '{twice.Key}' is there twice");
        foreach (var key in document.Keys)
            if (key is null || string.IsNullOrEmpty(key.Id) || Convert.FromBase64String(key.Sha256 ?? "").Length != 32)
                throw new FormatException($"key '{key?.Id}' has no id or no SHA-256 hash");
        return document;
    }

    private sealed record State(TenantSnapshot Snapshot, ETag? ETag, DateTimeOffset ReadAt, TenantSnapshot LastGood);
}
