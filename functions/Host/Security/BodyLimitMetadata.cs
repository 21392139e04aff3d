namespace Serverless.Host.Security;

/// <summary>Endpoint metadata: the largest request body accepted, in bytes (larger is a 413).</summary>
public sealed record BodyLimitMetadata(long MaxBytes);
