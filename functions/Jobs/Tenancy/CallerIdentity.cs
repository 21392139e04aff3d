namespace Serverless.Jobs.Tenancy;

/// <summary>
/// Who sent a request, as the key middleware found it (an <c>HttpContext</c> feature:
/// <c>context.Features.Get&lt;CallerIdentity&gt;()</c>). A tenant key is a tenant and a role; the
/// master key is the platform admin over every tenant; a function key (and an anonymous request
/// where configuration allows one) is the implicit tenant of a host without tenants: jobs with no
/// tenant, submit and read as today, terminate and purge still need the master key.
/// </summary>
/// <param name="Tenant">The tenant's name; null for the platform admin and the implicit tenant.</param>
/// <param name="Role">What the key may do inside its tenant.</param>
/// <param name="IsPlatformAdmin">True for the master key: every tenant, every operation.</param>
/// <param name="KeyId">The key's id (tenant keys), or <c>master</c> / <c>function</c>; never the key itself.</param>
public sealed record CallerIdentity(string? Tenant, TenantRole Role, bool IsPlatformAdmin, string KeyId)
{
    /// <summary>The master key.</summary>
    public static CallerIdentity PlatformAdmin { get; } = new(null, TenantRole.Admin, true, "master");

    /// <summary>A function key or an anonymous request: the implicit tenant (jobs with no tenant), as before tenants existed.</summary>
    public static CallerIdentity Implicit { get; } = new(null, TenantRole.Submitter, false, "function");

    /// <summary>Creates a tenant key's identity.</summary>
    public static CallerIdentity ForTenant(string tenant, TenantRole role, string keyId) => new(tenant, role, false, keyId);

    /// <summary>True for a tenant's key (its locations limited to the tenant's patterns).</summary>
    public bool IsTenantKey => Tenant is not null && !IsPlatformAdmin;

    /// <summary>Whether the caller may do what <paramref name="needed"/> allows (the platform admin may do everything).</summary>
    public bool Allows(TenantRole needed) => IsPlatformAdmin || Role >= needed;

    /// <summary>
    /// Whether the caller sees a job recorded with <paramref name="jobTenant"/> (null: no tenant). A job it
    /// does not see must answer exactly as an unknown one (404), so ids do not leak.
    /// </summary>
    public bool CanSee(string? jobTenant) => IsPlatformAdmin || string.Equals(Tenant, jobTenant, StringComparison.Ordinal);

    /// <summary>Whether the caller may terminate, purge, suspend, resume or raise events on such a job: the platform admin, or an admin of its tenant.</summary>
    public bool CanManage(string? jobTenant) => IsPlatformAdmin || (IsTenantKey && Role == TenantRole.Admin && CanSee(jobTenant));

    /// <summary>The tenant a job submitted by this caller records (null for the master key and the implicit tenant).</summary>
    public string? JobTenant => IsTenantKey ? Tenant : null;
}
