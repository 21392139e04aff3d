namespace Serverless.Storage;

/// <summary>
/// A location a tenant may use: a location (<c>s3://bucket/prefix</c>, <c>azblob://container/prefix</c>
/// or a local path), optionally ended by <c>*</c>. <c>s3://images/team-a/*</c> allows the folder and
/// everything below it; <c>s3://images/team-a*</c> also allows <c>team-a-2/</c> (a plain key prefix);
/// without <c>*</c> only the folder itself. An Azure Blob pattern may name the storage account as
/// <c>azblob://container@account/prefix*</c>. Matching is done on parsed, normalised locations
/// (<see cref="SourceUri"/>): the bucket or container must be equal, keys are compared case-sensitively
/// (S3 and Blob keys are), local paths as the file system compares them; a location with an encoded
/// character (<c>%2e</c>, <c>%2f</c>) or a backslash in its key is never matched.
/// </summary>
public sealed record LocationPattern
{
    private LocationPattern(string text, SourceUri root, string keyPrefix, bool below, string? account)
    {
        Text = text;
        Root = root;
        KeyPrefix = keyPrefix;
        Below = below;
        Account = account;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>Which storage the pattern is in.</summary>
    public StorageKind Kind => Root.Kind;

    /// <summary>The storage account an Azure Blob pattern names (<c>azblob://container@account/...</c>); null when it names none.</summary>
    public string? Account { get; }

    private SourceUri Root { get; }

    /// <summary>For buckets, the key prefix as written before the <c>*</c>; for local paths, the full path (with a trailing separator for a folder).</summary>
    private string KeyPrefix { get; }

    /// <summary>True when the pattern ends with <c>*</c>: anything whose key starts with <see cref="KeyPrefix"/>.</summary>
    private bool Below { get; }

    /// <summary>Parses a pattern; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static LocationPattern Parse(string text) =>
        TryParse(text, out var pattern, out var error) ? pattern : throw new FormatException(error);

    /// <summary>Parses a pattern; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string? text, out LocationPattern pattern, out string error)
    {
        pattern = null!;
        var trimmed = text?.Trim() ?? "";
        var below = trimmed.EndsWith('*');
        var body = below ? trimmed[..^1] : trimmed;
        if (body.Contains('*') || body.Contains('?'))
        {
            error = $"pattern '{text}': '*' may only end a pattern (s3://bucket/prefix/*), and '?' is not allowed.";
            return false;
        }
        if (HasEncodedOrBackslash(body))
        {
            error = $"pattern '{text}': encoded characters (%xx) and backslashes are not allowed.";
            return false;
        }
        string? account = null;
        if (body.StartsWith("azblob://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = body["azblob://".Length..];
            var slash = rest.IndexOf('/');
            var host = slash < 0 ? rest : rest[..slash];
            if (host.IndexOf('@') is var at and >= 0)
            {
                account = host[(at + 1)..];
                if (!IsAccountName(account))
                {
                    error = $"pattern '{text}': '{account}' is not a storage account name (3-24 lowercase letters and digits).";
                    return false;
                }
                body = "azblob://" + host[..at] + (slash < 0 ? "" : rest[slash..]);
            }
        }
        if (body.Length > 0 && !body.Contains("://", StringComparison.Ordinal) && !Path.IsPathRooted(body))
        {
            // Locations are placed against the host's local root; a pattern must not depend on a working directory.
            error = $"pattern '{text}': a local pattern must be an absolute path (or file:///path).";
            return false;
        }
        if (!SourceUri.TryParse(body, out var root, out var parseError))
        {
            error = $"pattern '{text}' is not a location: {parseError}";
            return false;
        }
        if (root.Kind != StorageKind.Local && below && body.IndexOf('/', body.IndexOf("://", StringComparison.Ordinal) + 3) < 0)
        {
            // "s3://images*" would allow every bucket whose name starts with "images".
            error = $"pattern '{text}': '*' may not end a bucket or container name; write {body}/* for the whole bucket.";
            return false;
        }

        string keyPrefix;
        if (root.Kind == StorageKind.Local)
        {
            // "/data/team-a/*" is the folder; "/data/team-a*" any path starting so (the full path, normalised).
            var full = root.LocalPath.TrimEnd(Path.DirectorySeparatorChar);
            keyPrefix = below && !(body.EndsWith('/') || body.EndsWith(Path.DirectorySeparatorChar)) ? full : full + Path.DirectorySeparatorChar;
        }
        else
        {
            // The key prefix as written (without the bucket), trimmed of a leading '/': "team-a/" or "team-a".
            var afterScheme = body[(body.IndexOf("://", StringComparison.Ordinal) + 3)..];
            var slash = afterScheme.IndexOf('/');
            keyPrefix = slash < 0 ? "" : afterScheme[(slash + 1)..].TrimStart('/');
            if (!below && keyPrefix.Length > 0 && !keyPrefix.EndsWith('/'))
                keyPrefix += "/";
        }
        pattern = new LocationPattern(trimmed, root, keyPrefix, below, account);
        error = string.Empty;
        return true;
    }

    /// <summary>Whether <paramref name="location"/> is inside this pattern (see the type's summary for the rules).</summary>
    public bool Matches(SourceUri location)
    {
        if (location.Kind != Root.Kind)
            return false;
        if (location.Kind == StorageKind.Local)
        {
            // The location's full path as a folder: "/data/team-a" and "/data/team-a/" are the same place.
            var path = location.LocalPath.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            return Below ? path.StartsWith(KeyPrefix, LocalComparison) : string.Equals(path, KeyPrefix, LocalComparison);
        }
        if (!string.Equals(location.Container, Root.Container, StringComparison.Ordinal) || HasEncodedOrBackslash(location.Prefix))
            return false;
        return Below ? location.Prefix.StartsWith(KeyPrefix, StringComparison.Ordinal) : string.Equals(location.Prefix, KeyPrefix, StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>Windows and macOS compare paths without case by default; Linux with it.</summary>
    private static StringComparison LocalComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private static bool HasEncodedOrBackslash(string text)
    {
        if (text.Contains('\\'))
            return true;
        for (var i = text.IndexOf('%'); i >= 0 && i + 2 < text.Length; i = text.IndexOf('%', i + 1))
            if (char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
                return true;
        return false;
    }

    private static bool IsAccountName(string name) =>
        name.Length is >= 3 and <= 24 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));
}
