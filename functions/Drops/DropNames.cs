using System.Security.Cryptography;
using System.Text;
using Serverless.Storage;

namespace Serverless.Drops;

/// <summary>Names derived from dropped keys: result files, job status files and job ids.</summary>
public static class DropNames
{
    public const string StatusSuffix = ".status.json";

    /// <summary>The key below the watched prefix: <c>incoming/a/b.jpg</c> under <c>s3://drops/incoming/</c> is <c>a/b.jpg</c>.</summary>
    public static string Relative(SourceUri location, string key) =>
        location.Kind != StorageKind.Local && key.StartsWith(location.Prefix, StringComparison.Ordinal) ? key[location.Prefix.Length..] : key;

    /// <summary>The result of <paramref name="key"/>, relative to the results prefix: <c>a/b.jpg.json</c>.</summary>
    public static string Result(SourceUri source, string key) => Relative(source, key) + ".json";

    /// <summary>The status file written next to a job file, relative to the jobs prefix.</summary>
    public static string JobStatus(SourceUri jobs, string key) => Relative(jobs, key) + StatusSuffix;

    /// <summary>Whether a key under a jobs prefix is a job description (not a status file we wrote).</summary>
    public static bool IsJobFile(string key) =>
        key.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !key.EndsWith(StatusSuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The job a job file starts: the same key and ETag always give the same id, so a re-upload of the same bytes starts nothing.</summary>
    public static string JobId(string key, string etag) =>
        "drop-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key + "|" + etag)))[..16];
}
