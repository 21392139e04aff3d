namespace Serverless.ModelZoo.Models;

/// <summary>torchvision's ImageNet preprocessing constants (the "imagenet" manifest preset).</summary>
public static class ImageNetNormalization
{
    /// <summary>Manifest preset name.</summary>
    public const string Preset = "imagenet";

    /// <summary>Per-channel mean of RGB values in 0..1.</summary>
    public static IReadOnlyList<float> Mean { get; } = [0.485f, 0.456f, 0.406f];

    /// <summary>Per-channel standard deviation of RGB values in 0..1.</summary>
    public static IReadOnlyList<float> Std { get; } = [0.229f, 0.224f, 0.225f];

    /// <summary>(value - mean[c]) / std[c] for a 0..1 value of channel c (0 = R).</summary>
    public static float Normalize(int channel, float value) => (value - Mean[channel]) / Std[channel];
}
