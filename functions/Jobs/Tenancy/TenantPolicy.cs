using Azure.Storage.Blobs;
using Serverless.Storage;

namespace Serverless.Jobs.Tenancy;

/// <summary>
/// Where a caller's jobs may read and write, judged on the text of the request before anything is
/// read. The master key and the implicit tenant (function keys) are not limited, as before tenants
/// existed; a tenant key's sources (and thumbnails and drops) must match one of its
/// <see cref="Tenant.AllowSources"/>, its outputs one of its <see cref="Tenant.AllowOutputs"/>, its
/// model lie inside its models folder. An <c>azblob://</c> location read with the task hub's own
/// account (no <c>AZURE_STORAGE_CONNECTION_STRING</c> of its own) is allowed to a tenant only by a
/// pattern that names that account (<c>azblob://container@account/...</c>): the host's own
/// storage holds its keys and histories.
/// </summary>
public sealed class TenantPolicy(TenantStore store, StorageConnections connections, LocalRoot localRoot, ModelsRoot modelsRoot)
{
    private readonly string? blobAccount = AccountName(connections.Blob.ConnectionString)
        ?? (connections.Blob.Identity is { } identity ? new BlobUriBuilder(identity.BlobServiceUri).AccountName : null);

    /// <summary>Whether a job of <paramref name="caller"/> may read <paramref name="source"/>, write <paramref name="output"/> and use <paramref name="model"/> (each may be null: not judged).</summary>
    public async Task<TenantDecision> CheckJobAsync(CallerIdentity caller, string? source, string? output, string? model, CancellationToken cancellationToken)
    {
        if (!caller.IsTenantKey)
            return TenantDecision.Allow;
        var (tenant, gone) = await CurrentAsync(caller.Tenant, "key", cancellationToken).ConfigureAwait(false);
        if (tenant is null)
            return gone;
        if (source is not null && Check(tenant, source, "source", tenant.SourcePatterns, "allowSources") is { Allowed: false } refusedSource)
            return refusedSource;
        if (output is not null && Check(tenant, output, "output", tenant.OutputPatterns, "allowOutputs") is { Allowed: false } refusedOutput)
            return refusedOutput;
        if (model is not null && CheckModel(tenant, model) is { Allowed: false } refusedModel)
            return refusedModel;
        return TenantDecision.Allow;
    }

    /// <summary>
    /// What a running job of <paramref name="tenantName"/> (<see cref="Serverless.BatchInference.Contracts.JobSpec.Tenant"/>) may read
    /// beyond the source judged at submission: its manifest's keys, which may name other buckets. Judged
    /// against the tenant's patterns as they are now (a tenant deleted since refuses everything); a job
    /// of no tenant (master key, function keys) reads anything, as before tenants.
    /// </summary>
    public async Task<Func<string, TenantDecision>> ReadCheckAsync(string? tenantName, CancellationToken cancellationToken)
    {
        if (tenantName is null)
            return _ => TenantDecision.Allow;
        var (tenant, gone) = await CurrentAsync(tenantName, "job", cancellationToken).ConfigureAwait(false);
        if (tenant is null)
            return _ => gone;
        return location => Check(tenant, location, "source", tenant.SourcePatterns, "allowSources");
    }

    /// <summary>Tenant <paramref name="name"/> as it is now, or the refusal that names it gone (<paramref name="of"/>: what belonged to it).</summary>
    private async Task<(Tenant? Tenant, TenantDecision Gone)> CurrentAsync(string? name, string of, CancellationToken cancellationToken)
    {
        var snapshot = await store.GetAsync(cancellationToken).ConfigureAwait(false);
        return snapshot.Find(name) is { } tenant
            ? (tenant, TenantDecision.Allow)
            : (null, TenantDecision.Forbid("tenant", "tenant", $"the tenant '{name}' of this {of} no longer exists"));
    }

    /// <summary>Whether <paramref name="caller"/> may read <paramref name="location"/> (a thumbnail's image, a drop's folder).</summary>
    public Task<TenantDecision> CheckSourceAsync(CallerIdentity caller, string location, CancellationToken cancellationToken) =>
        CheckJobAsync(caller, location, null, null, cancellationToken);

    private TenantDecision Check(Tenant tenant, string text, string field, IReadOnlyList<LocationPattern> patterns, string rule)
    {
        if (!SourceUri.TryParse(text, out var location, out var error))
            return TenantDecision.Invalid(field, error);
        if (location.Kind == StorageKind.Local)
        {
            // Judged where the job will really read: against the local root, links followed.
            if (localRoot.Place(text) is not { } placed)
                return TenantDecision.Forbid(field, rule, $"{field} '{text}' is outside the local root");
            location = SourceUri.Parse(placed);
        }
        var matching = patterns.Where(p => p.Matches(location)).ToArray();
        if (matching.Length == 0)
            return TenantDecision.Forbid(field, rule,
                $"{field} '{location}' is not allowed to tenant '{tenant.Name}': it matches none of its {rule} ({string.Join(", ", patterns.Select(p => p.Text))})");
        if (location.Kind == StorageKind.AzureBlob && connections.Blob.IsTaskHubAccount
            && !matching.Any(p => p.Account is not null && string.Equals(p.Account, blobAccount, StringComparison.Ordinal)))
            return TenantDecision.Forbid(field, "taskHubAccount",
                $"{field} '{location}' would be read with the task hub's own storage account ({blobAccount}); a tenant's pattern must name it " +
                $"(azblob://{location.Container}@{blobAccount}/...), or set AZURE_STORAGE_CONNECTION_STRING to the account of the data");
        if (location.Kind == StorageKind.AzureBlob && matching.All(p => p.Account is not null && !string.Equals(p.Account, blobAccount, StringComparison.Ordinal)))
            return TenantDecision.Forbid(field, rule, $"{field} '{location}': the patterns that match it name another storage account than the host's ({blobAccount})");
        return TenantDecision.Allow;
    }

    private TenantDecision CheckModel(Tenant tenant, string model)
    {
        if (tenant.ModelsDir is null)
            return TenantDecision.Allow;
        if (modelsRoot.Resolve(model, out var fullPath) is { } error)
            return TenantDecision.Invalid("model", error);
        var folder = Path.GetFullPath(Path.Combine(modelsRoot.Path, tenant.ModelsDir)).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return fullPath.StartsWith(folder, StringComparison.Ordinal)
            ? TenantDecision.Allow
            : TenantDecision.Forbid("model", "modelsDir", $"model '{model}' is not in tenant '{tenant.Name}''s models folder '{tenant.ModelsDir}'");
    }

    private static string? AccountName(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            return null;
        try
        {
            return new BlobServiceClient(connectionString).AccountName;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
