namespace Serverless.ModelZoo.Models;

/// <summary>A named reference colour of the dominant-colour model, RGB in 0..1.</summary>
public sealed record ColorPrototype(string Label, float R, float G, float B)
{
    /// <summary>The colour after ImageNet normalization, in channel order R, G, B.</summary>
    public float[] Normalized() =>
        [ImageNetNormalization.Normalize(0, R), ImageNetNormalization.Normalize(1, G), ImageNetNormalization.Normalize(2, B)];
}
