using System.Security.Cryptography;

namespace Serverless.Storage.Tests.Support;

internal static class Bytes
{
    /// <summary>A read limit no test object comes near.</summary>
    public const long Limit = 64 * 1024 * 1024;

    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory);
            return memory.ToArray();
        }
    }
}
