namespace Serverless.Drops;

/// <summary>One watched image prefix: where images are dropped, where their results go, and the model that classifies them.</summary>
public sealed class DropLocationOptions
{
    /// <summary>Watched prefix, e.g. <c>s3://drops/incoming/</c>.</summary>
    public string Source { get; set; } = "";

    /// <summary>Results prefix: <c>incoming/a/b.jpg</c> gets <c>{Results}/a/b.jpg.json</c>.</summary>
    public string Results { get; set; } = "";

    /// <summary>Path of the ONNX model.</summary>
    public string Model { get; set; } = "";

    /// <summary>Optional preprocessing preset overriding the model's manifest.</summary>
    public string? Preset { get; set; }

    /// <summary>Most images classified together.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Longest wait, from the first object of a micro-batch, for more objects to fill it.</summary>
    public int MaxWaitMs { get; set; } = 500;

    /// <summary>Classes reported per image.</summary>
    public int Top { get; set; } = 5;
}
