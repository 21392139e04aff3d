using System.Security.Cryptography;
using System.Text;

namespace Serverless.Host.Security;

/// <summary>
/// The host's keys: one master key and named function keys. Only SHA-256 hashes are kept, and a
/// presented key is compared with every one of them in constant time, so neither the timing nor a
/// memory dump tells a caller how close a guess was.
/// </summary>
public sealed class HostKeys
{
    private readonly byte[]? masterHash;
    private readonly byte[][] functionHashes;

    /// <summary>Creates the key set.</summary>
    /// <param name="master">The master key; null when none is configured (then admin endpoints refuse every key).</param>
    /// <param name="functionKeys">Function keys by name.</param>
    /// <param name="origin">Where the keys come from, for the log (never the keys themselves).</param>
    public HostKeys(string? master, IReadOnlyDictionary<string, string> functionKeys, string origin)
    {
        masterHash = string.IsNullOrEmpty(master) ? null : Hash(master);
        functionHashes = functionKeys.Values.Where(v => v.Length > 0).Select(Hash).ToArray();
        FunctionKeyNames = functionKeys.Keys.Order(StringComparer.Ordinal).ToArray();
        Origin = origin;
    }

    /// <summary>Where the keys come from (configuration, or the task hub's keys blob).</summary>
    public string Origin { get; }

    /// <summary>The names of the function keys.</summary>
    public IReadOnlyList<string> FunctionKeyNames { get; }

    /// <summary>True when a master key exists.</summary>
    public bool HasMaster => masterHash is not null;

    /// <summary>Which key <paramref name="presented"/> is; <see cref="KeyScope.None"/> for a missing or wrong key.</summary>
    public KeyScope Match(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
            return KeyScope.None;
        var hash = Hash(presented);
        // Every comparison runs, whatever matched first.
        var isMaster = masterHash is not null && CryptographicOperations.FixedTimeEquals(hash, masterHash);
        var isFunction = false;
        foreach (var candidate in functionHashes)
            isFunction |= CryptographicOperations.FixedTimeEquals(hash, candidate);
        return isMaster ? KeyScope.Master : isFunction ? KeyScope.Function : KeyScope.None;
    }

    /// <summary>A new random key: 32 bytes, URL-safe base64 (Functions' keys are of the same strength).</summary>
    public static string NewKey() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
