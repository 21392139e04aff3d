using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Serverless.Jobs.Classification;

/// <summary>
/// The SHA-256 (lowercase hex) of model files, hashed once per file version (its path, length and
/// last write time), so a unit can check the model it is about to use against the one its job
/// pinned without reading the whole file each time.
/// </summary>
public static class ModelHashes
{
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), string> Known = new();

    /// <summary>The SHA-256 of the file at <paramref name="path"/> as it is now.</summary>
    public static string Sha256Of(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException($"the model file {path} is missing", path);
        var version = (info.FullName, info.Length, info.LastWriteTimeUtc);
        if (Known.TryGetValue(version, out var known))
            return known;
        using var file = File.OpenRead(path);
        var sha = Convert.ToHexStringLower(SHA256.HashData(file));
        if (Known.Count > 64)
            Known.Clear();
        Known[version] = sha;
        return sha;
    }
}
