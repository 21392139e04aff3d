namespace Serverless.ModelZoo;

/// <summary>Options of <see cref="ModelZooWriter.Write"/>.</summary>
public sealed class ModelZooOptions
{
    /// <summary>Seed of the random weights; the same seed writes the same bytes.</summary>
    public ulong Seed { get; set; } = 20240601;

    /// <summary>
    /// ImageNet classes TSV (index, wnid, name) for the labels of mobilenetv2 and resnet50;
    /// null writes "class_N" labels.
    /// </summary>
    public string? ClassesTsvPath { get; set; }

    /// <summary>Whether to write the manifest and labels files beside the model.</summary>
    public bool WriteSidecarFiles { get; set; } = true;
}
