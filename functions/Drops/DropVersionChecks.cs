using Serverless.Storage;

namespace Serverless.Drops;

/// <summary>What a watcher checks about a claimed version before classifying it: whether the bytes read are still that version, and whether a dead predecessor's result landed.</summary>
/// <param name="emptyRecheck">How long after an empty read that its listed version still looks current the object is asked again (1 s by default).</param>
internal sealed class DropVersionChecks(SourceUri source, IVersionLister lister, IResultStore results, TimeSpan? emptyRecheck = null)
{
    private readonly TimeSpan emptyRecheck = emptyRecheck ?? TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether the bytes read are provably the listed version: its ETag is their MD5 (S3, single-part
    /// uploads without SSE-KMS). Only such a read was of the key's current version when it was made.
    /// </summary>
    public bool IsListedVersion(DropReceipt receipt, byte[] content) =>
        source.Kind == StorageKind.S3 && content.Length > 0 && IsPlainMd5(receipt.ObjectETag)
        && string.Equals(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(content)), receipt.ObjectETag, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether the bytes read are not the listed version: a plain-MD5 ETag that does not match the
    /// content (or an empty content), and the object's current ETag is another one. A listing can show a version that was
    /// never whole (s3rver lists an object mid-upload, hashing what is written so far) or that was
    /// replaced since; classifying it would classify the object twice.
    /// </summary>
    public async Task<bool> IsSupersededAsync(DropReceipt receipt, byte[] content, CancellationToken ct)
    {
        var etag = receipt.ObjectETag;
        if (source.Kind != StorageKind.S3)
            return false;
        // s3rver creates the file before it writes it: an empty object read may be one caught mid-upload.
        if (content.Length > 0 && (!IsPlainMd5(etag) || IsListedVersion(receipt, content)))
            return false;
        // Not every S3 ETag is an MD5 (SSE-KMS): only a different current ETag proves the version is gone.
        if (!await IsCurrentAsync(receipt, ct).ConfigureAwait(false))
            return true;
        if (content.Length > 0)
            return false;
        // s3rver can list, read and HEAD an object within the moment between creating its file and writing it:
        // all three then show the empty version. Asked again a moment later, an upload has moved on; a truly
        // empty object has not, and is classified (an empty_file row) as before.
        await Task.Delay(emptyRecheck, ct).ConfigureAwait(false);
        return !await IsCurrentAsync(receipt, ct).ConfigureAwait(false);
    }

    private async Task<bool> IsCurrentAsync(DropReceipt receipt, CancellationToken ct) =>
        string.Equals(await lister.CurrentETagAsync(receipt.Key, ct).ConfigureAwait(false), receipt.ObjectETag, StringComparison.Ordinal);

    /// <summary>
    /// Whether the object no longer is this version (replaced or deleted). False when that cannot be
    /// told (the store did not answer): the caller then treats the version as current.
    /// </summary>
    public async Task<bool> IsReplacedAsync(DropReceipt receipt, CancellationToken ct)
    {
        try
        {
            return !await IsCurrentAsync(receipt, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Whether the result under the key is the one the receipt's previous claim wrote (it died after its write landed).</summary>
    public async Task<bool> PreviousWriteLandedAsync(DropReceipt receipt)
    {
        var name = DropNames.Result(source, receipt.Key);
        try
        {
            if (!await results.ExistsAsync(name).ConfigureAwait(false))
                return false;
            var previous = DropResult.Parse(await results.ReadAsync(name).ConfigureAwait(false));
            return previous?.ClaimId == receipt.PreviousClaimId && previous?.ETag == receipt.ObjectETag;
        }
        catch (Exception ex) when (ex is StorageException or System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static bool IsPlainMd5(string etag) => etag.Length == 32 && etag.All(char.IsAsciiHexDigit);
}
