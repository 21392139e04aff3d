namespace Serverless.Jobs.Tenancy;

/// <summary>
/// The platform admin's operations on tenants and keys (the admin routes and the CLI over them).
/// A key is answered once, at creation; only its hash is stored.
/// </summary>
public sealed class TenantAdministration(TenantStore store)
{
    /// <summary>Creates or replaces a tenant (its keys stay).</summary>
    public Task SetTenantAsync(Tenant tenant, CancellationToken cancellationToken) =>
        store.UpdateAsync(document =>
        {
            var tenants = document.Tenants.Where(t => t.Name != tenant.Name).Append(tenant).OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
            return (document with { Tenants = tenants }, true);
        }, cancellationToken);

    /// <summary>Deletes a tenant and revokes its keys; false when there is no such tenant. Its jobs stay (the master key sees them).</summary>
    public Task<bool> DeleteTenantAsync(string name, CancellationToken cancellationToken) =>
        store.UpdateAsync(document => document.Find(name) is null
            ? (document, false)
            : (new TenantDocument(document.Tenants.Where(t => t.Name != name).ToArray(), document.Keys.Where(k => k.Tenant != name).ToArray()), true),
            cancellationToken);

    /// <summary>A new key of <paramref name="tenant"/> with <paramref name="role"/>: its record and the key itself (shown once); null when there is no such tenant.</summary>
    public Task<(TenantKey Key, string Secret)?> CreateKeyAsync(string tenant, TenantRole role, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (id, secret) = TenantKey.NewSecret();
        var key = new TenantKey(id, tenant, role, Convert.ToBase64String(TenantKey.Hash(secret)), now);
        return store.UpdateAsync<(TenantKey, string)?>(document => document.Find(tenant) is null
            ? (document, null)
            : (document with { Keys = [.. document.Keys, key] }, (key, secret)), cancellationToken);
    }

    /// <summary>Revokes a key; false when there is no such key.</summary>
    public Task<bool> RevokeKeyAsync(string id, CancellationToken cancellationToken) =>
        store.UpdateAsync(document => document.Keys.Any(k => k.Id == id)
            ? (document with { Keys = document.Keys.Where(k => k.Id != id).ToArray() }, true)
            : (document, false), cancellationToken);
}
