namespace Serverless.ModelZoo.Models;

/// <summary>
/// Deterministic weight source (SplitMix64), independent of the runtime's <see cref="Random"/>
/// implementation, so a seed gives the same model bytes on every machine and .NET version.
/// </summary>
public sealed class SeededWeights(ulong seed)
{
    private ulong state = seed;

    /// <summary>Kaiming-uniform weights: variance gain^2 * 2 / fanIn (He init for ReLU inputs).</summary>
    public float[] HeUniform(int count, int fanIn, float gain = 1f) =>
        Uniform(count, gain * MathF.Sqrt(6f / fanIn));

    /// <summary>Uniform values in [-bound, bound).</summary>
    public float[] Uniform(int count, float bound)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (2f * NextUnit() - 1f) * bound;
        }

        return values;
    }

    private float NextUnit()
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 40) * (1f / (1 << 24)); // 24 random bits: exact in a float, in [0, 1)
    }
}
