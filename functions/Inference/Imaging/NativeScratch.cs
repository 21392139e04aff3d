using System.Runtime.InteropServices;

namespace Serverless.Inference;

/// <summary>
/// Per-thread native pixel buffers for decode and resize, reused across images so the hot path
/// allocates nothing per image. Buffers above <see cref="RetainLimit"/> are freed after use.
/// </summary>
internal sealed unsafe class NativeScratch
{
    /// <summary>Slot of the decoded pixels.</summary>
    public const int Decode = 0;

    /// <summary>Slot of the resized crop window.</summary>
    public const int Window = 1;

    /// <summary>Slot of the resize's intermediate rows.</summary>
    public const int Resample = 2;

    private const long RetainLimit = 32L * 1024 * 1024;

    [ThreadStatic]
    private static NativeScratch?[]? perThread;

    private void* pointer;
    private nuint size;

    /// <summary>The scratch buffer <paramref name="slot"/> (<see cref="Decode"/>, <see cref="Window"/>, <see cref="Resample"/>) of the calling thread.</summary>
    public static NativeScratch For(int slot)
    {
        perThread ??= new NativeScratch?[3];
        return perThread[slot] ??= new NativeScratch();
    }

    /// <summary>A buffer of at least <paramref name="bytes"/>; valid until <see cref="Release"/>.</summary>
    public IntPtr Get(long bytes)
    {
        if ((nuint)bytes > size)
        {
            NativeMemory.Free(pointer);
            pointer = null;
            size = 0;
            pointer = NativeMemory.Alloc((nuint)bytes);
            size = (nuint)bytes;
        }

        return (IntPtr)pointer;
    }

    /// <summary>Frees the buffer when it grew past the retain limit (one huge image must not pin memory).</summary>
    public void Release()
    {
        if (size > RetainLimit)
        {
            NativeMemory.Free(pointer);
            pointer = null;
            size = 0;
        }
    }
}
