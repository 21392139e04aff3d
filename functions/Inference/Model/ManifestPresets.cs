namespace Serverless.Inference;

/// <summary>Preprocessing presets for the common model families.</summary>
public static class ManifestPresets
{
    /// <summary>The preset used when neither the manifest nor the caller names one.</summary>
    public const string Default = "imagenet";

    /// <summary>Names of the known presets.</summary>
    public static IReadOnlyList<string> Names { get; } = ["imagenet", "caffe", "tf", "vit"];

    /// <summary>Returns the named preset.</summary>
    /// <exception cref="ArgumentException">Unknown preset.</exception>
    public static ModelManifest Get(string name) => name.ToLowerInvariant() switch
    {
        // torchvision: Resize(256), CenterCrop(224), ToTensor, Normalize.
        "imagenet" => new ModelManifest
        {
            Preset = "imagenet",
            Width = 224,
            Height = 224,
            ResizeShorter = 256,
            Crop = true,
            Mean = [0.485f, 0.456f, 0.406f],
            Std = [0.229f, 0.224f, 0.225f],
            ColorOrder = ColorOrder.RGB,
            Scale = 1f / 255f,
        },

        // Caffe-style (original ResNet, VGG): BGR on 0..255 with the BGR mean subtracted, no std.
        "caffe" => new ModelManifest
        {
            Preset = "caffe",
            Width = 224,
            Height = 224,
            ResizeShorter = 256,
            Crop = true,
            Mean = [103.939f, 116.779f, 123.68f],
            Std = [1f, 1f, 1f],
            ColorOrder = ColorOrder.BGR,
            Scale = 1f,
        },

        // Keras applications in "tf" mode (MobileNet, Inception, Xception, EfficientNetV2 exports via
        // tf2onnx): RGB scaled to [-1, 1], channels last, torchvision's resize and crop.
        "tf" => new ModelManifest
        {
            Preset = "tf",
            Layout = TensorLayout.NHWC,
            Width = 224,
            Height = 224,
            ResizeShorter = 256,
            Crop = true,
            Mean = [0.5f, 0.5f, 0.5f],
            Std = [0.5f, 0.5f, 0.5f],
            ColorOrder = ColorOrder.RGB,
            Scale = 1f / 255f,
        },

        // ViT (Hugging Face image processor): straight resize to 224x224, mean/std 0.5.
        "vit" => new ModelManifest
        {
            Preset = "vit",
            Width = 224,
            Height = 224,
            ResizeShorter = null,
            Crop = false,
            Mean = [0.5f, 0.5f, 0.5f],
            Std = [0.5f, 0.5f, 0.5f],
            ColorOrder = ColorOrder.RGB,
            Scale = 1f / 255f,
        },
        _ => throw new ArgumentException($"Unknown preset '{name}'. Known: {string.Join(", ", Names)}.", nameof(name)),
    };
}
