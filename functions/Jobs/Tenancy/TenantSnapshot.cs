using System.Security.Cryptography;

namespace Serverless.Jobs.Tenancy;

/// <summary>
/// The tenants document as one read of it found it: its tenants by name and its keys' hashes. A
/// presented key is compared with every hash in constant time (as the host keys are).
/// </summary>
public sealed class TenantSnapshot
{
    private readonly (TenantKey Key, byte[] Hash)[] keys;

    /// <summary>Creates a snapshot of <paramref name="document"/>.</summary>
    /// <param name="problem">Why the stored document could not be used (this snapshot is then the last good one); null when it was.</param>
    public TenantSnapshot(TenantDocument document, string? problem = null)
    {
        Document = document;
        Problem = problem;
        keys = document.Keys.Select(k => (k, Convert.FromBase64String(k.Sha256))).ToArray();
    }

    /// <summary>No tenant at all.</summary>
    public static TenantSnapshot Empty { get; } = new(TenantDocument.Empty);

    /// <summary>The document.</summary>
    public TenantDocument Document { get; }

    /// <summary>Why the stored document was not used (this is the last good one); null when it was.</summary>
    public string? Problem { get; }

    /// <summary>True when at least one tenant is defined.</summary>
    public bool HasTenants => Document.Tenants.Count > 0;

    /// <summary>The tenant named <paramref name="name"/>, or null.</summary>
    public Tenant? Find(string? name) => name is null ? null : Document.Find(name);

    /// <summary>The identity of a presented tenant key; null when it is none of them, or its tenant no longer exists.</summary>
    public CallerIdentity? Resolve(string? presented)
    {
        if (string.IsNullOrEmpty(presented) || keys.Length == 0)
            return null;
        var hash = TenantKey.Hash(presented);
        TenantKey? found = null;
        // Every comparison runs, whatever matched first.
        foreach (var (key, candidate) in keys)
            if (CryptographicOperations.FixedTimeEquals(hash, candidate))
                found = key;
        return found is not null && Find(found.Tenant) is not null ? CallerIdentity.ForTenant(found.Tenant, found.Role, found.Id) : null;
    }
}
