namespace Serverless.Storage;

/// <summary>
/// A storage location written as a URI: <c>s3://bucket/prefix</c>, <c>azblob://container/prefix</c>,
/// or a local path (absolute, relative, or <c>file:///</c>). The prefix is a folder: it is
/// empty or ends with <c>/</c>, so <c>s3://b/images</c> and <c>s3://b/images/</c> are the same place.
/// </summary>
public sealed record SourceUri
{
    private SourceUri(StorageKind kind, string container, string prefix, string original)
    {
        Kind = kind;
        Container = container;
        Prefix = prefix;
        Original = original;
    }

    /// <summary>Which storage the location is in.</summary>
    public StorageKind Kind { get; }

    /// <summary>The bucket or container; for a local location, the full path of the folder.</summary>
    public string Container { get; }

    /// <summary>The key prefix inside the bucket or container (empty or ending with '/'); empty for local.</summary>
    public string Prefix { get; }

    /// <summary>The text the location was parsed from.</summary>
    public string Original { get; }

    /// <summary>For a local location, the folder's full path.</summary>
    public string LocalPath => Kind == StorageKind.Local
        ? Container
        : throw new InvalidOperationException($"{this} is not a local path.");

    /// <summary>Parses a location; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static SourceUri Parse(string text)
    {
        if (TryParse(text, out var uri, out var error))
        {
            return uri;
        }

        throw new FormatException(error);
    }

    /// <summary>Parses a location; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string? text, out SourceUri uri, out string error)
    {
        uri = null!;
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "A storage location is required (s3://bucket/prefix, azblob://container/prefix or a local path).";
            return false;
        }

        text = text.Trim();
        if (Refused(text) is { } refused)
        {
            error = refused;
            return false;
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            uri = new SourceUri(StorageKind.Local, Path.GetFullPath(text), string.Empty, text);
            return true;
        }

        var scheme = text[..schemeEnd].ToLowerInvariant();
        var rest = text[(schemeEnd + 3)..];
        switch (scheme)
        {
            case "file":
                // file:///abs/path -> rest is "/abs/path"; file://host/... is not supported.
                if (!rest.StartsWith('/'))
                {
                    error = $"'{text}': only file:///absolute/path is supported.";
                    return false;
                }

                // Checked again once decoded: file:///%00 is a NUL too (Path.GetFullPath throws on it).
                var path = Uri.UnescapeDataString(rest);
                if (Refused(path) is { } decoded)
                {
                    error = decoded;
                    return false;
                }

                uri = new SourceUri(StorageKind.Local, Path.GetFullPath(path), string.Empty, text);
                return true;
            case "s3":
                return TryParseBucket(StorageKind.S3, text, rest, IsValidS3Bucket, out uri, out error);
            case "azblob":
                return TryParseBucket(StorageKind.AzureBlob, text, rest, IsValidBlobContainer, out uri, out error);
            default:
                error = $"'{text}': unknown scheme '{scheme}://'; use s3://bucket/prefix, azblob://container/prefix or a local path.";
                return false;
        }
    }

    /// <summary>The longest location accepted, in characters (object keys and blob names stop at 1,024, Linux paths at 4,096).</summary>
    public const int MaxLength = 4096;

    /// <summary>
    /// Why a location's text cannot be one, or null: too long, or with a control character (a NUL
    /// makes Path.GetFullPath throw; no key or path needs one, and they would reach logs as they are).
    /// </summary>
    private static string? Refused(string text)
    {
        if (text.Length > MaxLength)
            return $"A storage location may be at most {MaxLength} characters long (this one has {text.Length}).";
        return text.Any(char.IsControl) ? "A storage location may not contain a control character (NUL, a line break, ...)." : null;
    }

    /// <summary>A location below this one: <c>s3://b/p/</c> + <c>out</c> = <c>s3://b/p/out/</c>.</summary>
    public SourceUri Child(string relative)
    {
        relative = relative.Trim('/');
        return Kind == StorageKind.Local
            ? new SourceUri(Kind, Path.Combine(Container, relative), string.Empty, Path.Combine(Container, relative))
            : new SourceUri(Kind, Container, Prefix + relative + "/", $"{Scheme}://{Container}/{Prefix}{relative}/");
    }

    /// <summary>The canonical text: <c>s3://bucket/prefix/</c>, <c>azblob://container/prefix/</c> or the full local path.</summary>
    public override string ToString() =>
        Kind == StorageKind.Local ? Container : $"{Scheme}://{Container}/{Prefix}";

    /// <summary>The location of object <paramref name="key"/> in bucket or container <paramref name="container"/> of an object store: <c>s3://bucket/key</c>, <c>azblob://container/key</c>.</summary>
    public static string ObjectLocation(StorageKind kind, string container, string key) => $"{SchemeOf(kind)}://{container}/{key}";

    private string Scheme => SchemeOf(Kind);

    private static string SchemeOf(StorageKind kind) => kind == StorageKind.S3 ? "s3" : "azblob";

    private static bool TryParseBucket(
        StorageKind kind, string text, string rest, Func<string, bool> validName, out SourceUri uri, out string error)
    {
        uri = null!;
        var slash = rest.IndexOf('/');
        var container = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? string.Empty : rest[(slash + 1)..].Trim('/');
        var what = kind == StorageKind.S3 ? "bucket" : "container";
        if (container.Length == 0)
        {
            error = $"'{text}': the {what} name is missing.";
            return false;
        }

        if (!validName(container))
        {
            error = kind == StorageKind.S3
                ? $"'{text}': '{container}' is not a valid bucket name (3-63 characters: lowercase letters, digits, '.', '-')."
                : $"'{text}': '{container}' is not a valid container name (3-63 characters: lowercase letters, digits, single '-').";
            return false;
        }

        if (prefix.Contains("//", StringComparison.Ordinal))
        {
            error = $"'{text}': the prefix has an empty path segment.";
            return false;
        }

        // Object stores keep "a/../b" as a literal key, but a result written under it can land
        // elsewhere once copied to disk or served: no '.' or '..' segments.
        if (prefix.Split('/').Any(segment => segment is "." or ".."))
        {
            error = $"'{text}': the prefix may not have '.' or '..' segments.";
            return false;
        }

        error = string.Empty;
        uri = new SourceUri(kind, container, prefix.Length == 0 ? string.Empty : prefix + "/", text);
        return true;
    }

    private static bool IsLowerOrDigit(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

    private static bool IsValidS3Bucket(string name) =>
        name.Length is >= 3 and <= 63
        && IsLowerOrDigit(name[0]) && IsLowerOrDigit(name[^1])
        && name.All(c => IsLowerOrDigit(c) || c is '-' or '.');

    private static bool IsValidBlobContainer(string name) =>
        (name.Length is >= 3 and <= 63 || name == "$root")
        && (name == "$root" || (IsLowerOrDigit(name[0]) && IsLowerOrDigit(name[^1])
            && name.All(c => IsLowerOrDigit(c) || c == '-')
            && !name.Contains("--", StringComparison.Ordinal)));
}
