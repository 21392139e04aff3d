namespace Serverless.Drops;

/// <summary>One version of a listed object: its key and its ETag (unquoted).</summary>
public readonly record struct ObjectVersion(string Key, string ETag);
