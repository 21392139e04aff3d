using System.Text;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// Maps an instance id to its control-queue partition. FNV-1a over the UTF-8 bytes: stable
/// across processes, machines and .NET versions (string.GetHashCode is randomized per process).
/// </summary>
public static class PartitionHash
{
    /// <summary>The partition of <paramref name="instanceId"/> among <paramref name="partitionCount"/>.</summary>
    public static int PartitionOf(string instanceId, int partitionCount)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        return (int)(Fnv1a(instanceId) % (uint)partitionCount);
    }

    /// <summary>32-bit FNV-1a of the UTF-8 encoding of <paramref name="value"/>.</summary>
    public static uint Fnv1a(string value)
    {
        const uint offsetBasis = 2166136261;
        const uint prime = 16777619;
        var hash = offsetBasis;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(value) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(value, buffer)] : Encoding.UTF8.GetBytes(value);
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= prime;
        }
        return hash;
    }
}
