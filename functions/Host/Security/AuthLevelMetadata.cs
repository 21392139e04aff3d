namespace Serverless.Host.Security;

/// <summary>Endpoint metadata: the key the endpoint needs. When an endpoint has several, the strictest wins.</summary>
public sealed record AuthLevelMetadata(AuthLevel Level);
