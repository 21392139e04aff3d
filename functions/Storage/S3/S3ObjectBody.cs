using System.Security.Cryptography;
using Amazon.Runtime.Internal.Util;
using Amazon.S3.Model;

namespace Serverless.Storage.S3;

/// <summary>
/// Reads a GetObject body whole and checks it against the object's ETag when that is the MD5 of
/// the body, as the SDK would. The SDK checks through a stream that hashes with a managed MD5:
/// measured at about 4 ms of CPU per 100 KB photo in a job, a sixth of the work of classifying
/// it. The platform's MD5 (OpenSSL) does the same check for a small fraction of that.
/// </summary>
internal static class S3ObjectBody
{
    public static async Task<byte[]> ReadAllAsync(GetObjectResponse response, long maxBytes, CancellationToken cancellationToken)
    {
        // The SDK's MD5 stream wraps the HTTP body; read the body itself and hash once at the end.
        var body = response.ResponseStream is WrapperStream wrapper ? wrapper.GetNonWrapperBaseStream() : response.ResponseStream;
        var bytes = await StreamBytes.ReadAllAsync(body, response.ContentLength, maxBytes, cancellationToken).ConfigureAwait(false);
        if (BodyMd5(response) is { } expected && !MD5.HashData(bytes).AsSpan().SequenceEqual(expected))
        {
            // Transient (IOException): a damaged transfer, or an object replaced while it was read; a retry reads it again.
            throw new IOException($"the {bytes.Length} bytes read do not match the object's ETag {response.ETag} (their MD5).");
        }

        return bytes;
    }

    /// <summary>
    /// The MD5 the ETag states, or null when it is not one: a multipart upload's ETag ends in
    /// "-parts", and objects encrypted with a customer or KMS key have ETags of their own.
    /// </summary>
    private static byte[]? BodyMd5(GetObjectResponse response)
    {
        var etag = response.ETag?.Trim('"');
        var encrypted = !string.IsNullOrEmpty(response.ServerSideEncryptionCustomerMethod?.Value)
            || !string.IsNullOrEmpty(response.ServerSideEncryptionKeyManagementServiceKeyId);
        if (encrypted || etag is not { Length: 32 } || !etag.All(Uri.IsHexDigit))
        {
            return null;
        }

        return Convert.FromHexString(etag);
    }
}
