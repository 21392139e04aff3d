namespace Serverless.Jobs.Tenancy;

/// <summary>
/// The policy's answer: allowed, or refused with the HTTP status to answer (403 for a location,
/// model or operation outside the tenant's rules, 400 for a location that is not one), the field,
/// the rule that refused it, and a message naming both.
/// </summary>
public sealed record TenantDecision(bool Allowed, int Status, string? Field, string? Rule, string? Detail)
{
    /// <summary>Allowed.</summary>
    public static TenantDecision Allow { get; } = new(true, 200, null, null, null);

    /// <summary>Refused with 403.</summary>
    public static TenantDecision Forbid(string field, string rule, string detail) => new(false, 403, field, rule, detail);

    /// <summary>Refused with 400 (not a location at all).</summary>
    public static TenantDecision Invalid(string field, string detail) => new(false, 400, field, "location", detail);
}
