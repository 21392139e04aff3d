namespace Serverless.Storage.Results;

/// <summary>
/// 64-bit FNV-1a of a key, so a merge can remember every key it has written in 8 bytes each
/// instead of the whole string (a million keys: about 24 MB in a HashSet). The chance of a
/// false duplicate among a million keys is about 3e-8.
/// </summary>
/// <remarks>Public for the job's merge shards, which drop a key merged twice within a shard.</remarks>
public static class KeyHash
{
    /// <summary>The hash of <paramref name="key"/>.</summary>
    public static ulong Of(string key) => Of(key.AsSpan());

    /// <summary>The hash of a key held as characters (a merge reads them from a JSON line without making a string).</summary>
    public static ulong Of(ReadOnlySpan<char> key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ (byte)c) * 1099511628211UL;
            hash = (hash ^ (byte)(c >> 8)) * 1099511628211UL;
        }

        return hash;
    }
}
