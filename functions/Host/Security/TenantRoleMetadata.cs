using Serverless.Jobs.Tenancy;

namespace Serverless.Host.Security;

/// <summary>
/// Endpoint metadata: the role a tenant key needs here. Without it a tenant key needs
/// <see cref="TenantRole.Reader"/> to GET or HEAD and <see cref="TenantRole.Submitter"/> for anything
/// else. On an <see cref="AuthLevel.Admin"/> endpoint it lets a tenant's admin in (the master key
/// otherwise alone): put it only where the handler checks that the job is the caller's
/// (<see cref="CallerIdentity.CanManage"/>).
/// </summary>
public sealed record TenantRoleMetadata(TenantRole Role);

/// <summary>Endpoint metadata: host keys only (master and function keys), never a tenant's key.</summary>
public sealed record HostKeysOnlyMetadata;
