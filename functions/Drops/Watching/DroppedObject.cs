using Serverless.Drops;
using Serverless.Storage;

namespace Serverless.Drops.Watching;

/// <summary>An object a storage notification says was created: its kind of storage, bucket or container, and key.</summary>
public sealed record DroppedObject(StorageKind Kind, string Container, string Key)
{
    /// <summary>Whether the object lies under <paramref name="location"/>.</summary>
    public bool IsUnder(SourceUri location) =>
        location.Kind == Kind && location.Container == Container && Key.StartsWith(location.Prefix, StringComparison.Ordinal);
}
