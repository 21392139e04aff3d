namespace Serverless.Jobs.Tenancy;

/// <summary>What a tenant's key may do, each role including the ones before it.</summary>
public enum TenantRole
{
    /// <summary>Reads its tenant's jobs, results and thumbnails.</summary>
    Reader,

    /// <summary>Also submits jobs and classifies images.</summary>
    Submitter,

    /// <summary>Also terminates, purges, suspends, resumes and raises events on its tenant's jobs.</summary>
    Admin,
}

/// <summary>The roles' names as the API, the CLI and the store write them.</summary>
public static class TenantRoles
{
    /// <summary>The names accepted, for messages.</summary>
    public const string Names = "reader, submitter, admin";

    /// <summary>Parses <c>reader</c>, <c>submitter</c> or <c>admin</c> (any case).</summary>
    public static bool TryParse(string? text, out TenantRole role)
    {
        role = default;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "reader": role = TenantRole.Reader; return true;
            case "submitter": role = TenantRole.Submitter; return true;
            case "admin": role = TenantRole.Admin; return true;
            default: return false;
        }
    }

    /// <summary>The role's name: <c>reader</c>, <c>submitter</c> or <c>admin</c>.</summary>
    public static string Name(this TenantRole role) => role.ToString().ToLowerInvariant();
}
