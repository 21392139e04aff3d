using System.Security.Cryptography;
using System.Text;

namespace Serverless.Jobs.Tenancy;

/// <summary>
/// The tenants document as stored (<c>serverless-secrets/{hub}/tenants.json</c>): the tenants and
/// their keys, each key only as its SHA-256 hash (base64), as the host keys are kept.
/// </summary>
public sealed record TenantDocument(IReadOnlyList<Tenant> Tenants, IReadOnlyList<TenantKey> Keys)
{
    /// <summary>No tenant, no key: the host behaves as before tenants existed.</summary>
    public static TenantDocument Empty { get; } = new([], []);

    /// <summary>The tenant named <paramref name="name"/>, or null.</summary>
    public Tenant? Find(string name) => Tenants.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
}

/// <summary>A tenant's key as stored: never the key, only its hash.</summary>
/// <param name="Id">The key's id (shown in lists, used to revoke it).</param>
/// <param name="Tenant">The tenant it belongs to.</param>
/// <param name="Role">What it may do in the tenant.</param>
/// <param name="Sha256">Base64 of the SHA-256 of the key's UTF-8 bytes.</param>
/// <param name="Created">When it was made.</param>
public sealed record TenantKey(string Id, string Tenant, TenantRole Role, string Sha256, DateTimeOffset Created)
{
    /// <summary>A new random key (32 bytes, URL-safe base64, as the host keys) and its id.</summary>
    public static (string Id, string Secret) NewSecret() =>
        ("key-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
         Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));

    /// <summary>The stored form of a key's hash.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
