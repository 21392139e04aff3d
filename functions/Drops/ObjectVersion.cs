namespace Serverless.Drops;

/// <summary>
/// One version of a listed object: its key and its ETag (unquoted), which name it; and when the
/// store says it was last modified (null where unknown), which only places it against the
/// location's watermark (<see cref="DropWatermark"/>) and takes no part in equality.
/// </summary>
public readonly record struct ObjectVersion(string Key, string ETag)
{
    /// <summary>The object's last-modified time in the store's clock; null where the lister does not know it.</summary>
    public DateTimeOffset? Modified { get; init; }

    /// <summary>Equal when key and ETag are: the same version, whenever it was seen.</summary>
    public bool Equals(ObjectVersion other) => string.Equals(Key, other.Key, StringComparison.Ordinal) && string.Equals(ETag, other.ETag, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Key, ETag);
}
