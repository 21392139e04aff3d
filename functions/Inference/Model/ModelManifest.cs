namespace Serverless.Inference;

/// <summary>
/// The resolved description of a model's input and output: a preset with the manifest file's
/// fields applied over it. Mean and std are given in the tensor's channel order
/// (<see cref="ColorOrder"/>) and apply after <see cref="Scale"/>:
/// <c>value = (pixel * Scale - Mean[c]) / Std[c]</c> with pixel in 0..255.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The preset the values started from ("imagenet", "caffe", "vit").</summary>
    public required string Preset { get; init; }

    /// <summary>Graph input that takes the image batch; null means the model's only input.</summary>
    public string? InputName { get; init; }

    /// <summary>Graph output with the class scores; null means the model's first output.</summary>
    public string? OutputName { get; init; }

    /// <summary>Tensor layout.</summary>
    public TensorLayout Layout { get; init; } = TensorLayout.NCHW;

    /// <summary>Width of the input tensor.</summary>
    public int Width { get; init; }

    /// <summary>Height of the input tensor.</summary>
    public int Height { get; init; }

    /// <summary>
    /// When set, the image is first scaled (aspect kept) so that its shorter side has this
    /// length; requires <see cref="Crop"/>.
    /// </summary>
    public int? ResizeShorter { get; init; }

    /// <summary>
    /// Center crop to Width x Height after the resize. Without <see cref="ResizeShorter"/> the
    /// resize covers the crop (aspect kept); without crop the image is resized straight to
    /// Width x Height (aspect not kept).
    /// </summary>
    public bool Crop { get; init; }

    /// <summary>The resize filter (PIL's, antialiased); bilinear is torchvision's default.</summary>
    public Interpolation Interpolation { get; init; } = Interpolation.Bilinear;

    /// <summary>Per-channel mean, tensor channel order, after <see cref="Scale"/>.</summary>
    public required float[] Mean { get; init; }

    /// <summary>Per-channel standard deviation, tensor channel order, after <see cref="Scale"/>.</summary>
    public required float[] Std { get; init; }

    /// <summary>Colour order of the channels.</summary>
    public ColorOrder ColorOrder { get; init; } = ColorOrder.RGB;

    /// <summary>Multiplier applied to 0..255 pixels before mean/std: 1/255 or 1.</summary>
    public float Scale { get; init; } = 1f / 255f;

    /// <summary>Labels file name (relative to the manifest's folder), one label per line.</summary>
    public string? Labels { get; init; }

    /// <summary>True when the output already holds probabilities; false means logits (softmax is applied).</summary>
    public bool OutputIsProbabilities { get; init; }
}
