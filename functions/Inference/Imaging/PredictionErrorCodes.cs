namespace Serverless.Inference;

/// <summary>The reason codes of <see cref="PredictionError"/>.</summary>
public static class PredictionErrorCodes
{
    /// <summary>The file has zero bytes.</summary>
    public const string EmptyFile = "empty_file";

    /// <summary>The bytes are not an image format the decoder knows (e.g. a text file named .jpg).</summary>
    public const string UnsupportedFormat = "unsupported_format";

    /// <summary>A known image format whose data is damaged or ends early (truncated).</summary>
    public const string CorruptImage = "corrupt_image";

    /// <summary>More encoded bytes or declared pixels than the limits allow (decompression bombs).</summary>
    public const string TooLarge = "too_large";

    /// <summary>Reading the image's bytes failed (I/O, storage error).</summary>
    public const string ReadFailed = "read_failed";

    /// <summary>An unexpected failure while decoding or preprocessing this one image.</summary>
    public const string DecodeFailed = "decode_failed";

    /// <summary>The model failed on the image's batch, or answered with an output of the wrong shape for it (every image of that batch).</summary>
    public const string InferenceFailed = "inference_failed";
}
