namespace Serverless.Jobs.Tenancy;

/// <summary>
/// How a request's tenant key is found and judged, the same under both hosts: the self-host's key
/// middleware and the Functions app's worker middleware call these, so a key, a role and a refusal
/// mean the same thing whichever host answers.
/// </summary>
public static class TenantKeys
{
    /// <summary>
    /// The header that carries a tenant's key under both hosts. The self-host also takes any of its keys
    /// here (before <c>x-functions-key</c>, <c>Authorization: Bearer</c> and <c>code</c>); under Azure
    /// Functions the Functions key stays in <c>x-functions-key</c>/<c>code</c> for the Functions host,
    /// and this header names the tenant inside our functions.
    /// </summary>
    public const string HeaderName = "x-serverless-key";

    /// <summary>The identity of a presented tenant key; null when it is no tenant's key (unknown, revoked, or its tenant deleted).</summary>
    public static async ValueTask<CallerIdentity?> ResolveAsync(TenantStore? store, string? presented, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(presented) || store is null
            ? null
            : (await store.GetAsync(cancellationToken).ConfigureAwait(false)).Resolve(presented);

    /// <summary>The role a tenant key needs for <paramref name="method"/>: <paramref name="declared"/> when the route says, else reader to GET or HEAD and submitter otherwise.</summary>
    public static TenantRole Needed(string method, TenantRole? declared) =>
        declared ?? (string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase) || string.Equals(method, "HEAD", StringComparison.OrdinalIgnoreCase)
            ? TenantRole.Reader
            : TenantRole.Submitter);

    /// <summary>The 403 a tenant key gets for a role it lacks (title, detail); null when the caller may go on.</summary>
    public static (string Title, string Detail)? RoleRefusal(CallerIdentity caller, TenantRole needed, string method) =>
        caller.IsTenantKey && !caller.Allows(needed)
            ? ($"The {needed.Name()} role is required.",
               $"This key of tenant '{caller.Tenant}' has the {caller.Role.Name()} role; {method} here needs {needed.Name()}.")
            : null;

    /// <summary>The detail of a 401 for a key in <see cref="HeaderName"/> that is no tenant's key.</summary>
    public const string UnknownKeyDetail = $"The key in the {HeaderName} header is not a key of any tenant (unknown, revoked, or its tenant was deleted).";
}
