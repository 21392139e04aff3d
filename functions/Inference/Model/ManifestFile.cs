using System.Text.Json;

namespace Serverless.Inference;

/// <summary>
/// The manifest JSON as written beside a model (<c>&lt;stem&gt;.manifest.json</c>). Every field is
/// optional; what is absent comes from the preset. <see cref="Crop"/> takes true/false or a number
/// (a square crop of that side).
/// </summary>
internal sealed class ManifestFile
{
    public string? Preset { get; set; }
    public string? InputName { get; set; }
    public string? OutputName { get; set; }
    public TensorLayout? Layout { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public int? ResizeShorter { get; set; }
    public JsonElement? Crop { get; set; }
    public Interpolation? Interpolation { get; set; }
    public float[]? Mean { get; set; }
    public float[]? Std { get; set; }
    public ColorOrder? ColorOrder { get; set; }
    public float? Scale { get; set; }
    public string? Labels { get; set; }
    public bool? OutputIsProbabilities { get; set; }
}
