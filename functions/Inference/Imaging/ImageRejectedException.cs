namespace Serverless.Inference;

/// <summary>
/// One image cannot be classified, for the reason in <see cref="Code"/> (one of
/// <see cref="PredictionErrorCodes"/>). Readers may throw it too (e.g. too_large from a file size).
/// </summary>
public sealed class ImageRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImageRejectedException(string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
    }

    /// <summary>The reason code.</summary>
    public string Code { get; }
}
