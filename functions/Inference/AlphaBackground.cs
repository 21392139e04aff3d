namespace Serverless.Inference;

/// <summary>The colour that transparent pixels are composited on before normalization.</summary>
public enum AlphaBackground
{
    /// <summary>Black: the premultiplied colour as decoded (the default, no extra work).</summary>
    Black,

    /// <summary>White: the usual background of product photos and icons.</summary>
    White,
}
