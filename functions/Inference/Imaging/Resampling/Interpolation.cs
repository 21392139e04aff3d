namespace Serverless.Inference;

/// <summary>
/// The resampling filter of the resize, as PIL (and so torchvision on PIL images) applies it:
/// antialiased, the filter widened by the shrink factor when the image gets smaller.
/// </summary>
public enum Interpolation
{
    /// <summary>Triangle filter (PIL's BILINEAR, torchvision's default).</summary>
    Bilinear,

    /// <summary>Keys cubic with a = -0.5 (PIL's BICUBIC; timm and many Hugging Face models).</summary>
    Bicubic,
}
