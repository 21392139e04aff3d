namespace Serverless.Inference;

/// <summary>
/// A model could not be loaded or contradicts its manifest (missing file, wrong input shape,
/// wrong label count, bad manifest). Raised at load time so that no batch runs on garbage.
/// </summary>
public sealed class ModelLoadException : Exception
{
    /// <summary>Creates the exception for <paramref name="modelPath"/>.</summary>
    public ModelLoadException(string modelPath, string message, Exception? inner = null)
        : base($"Cannot load model '{modelPath}': {message}", inner)
    {
        ModelPath = modelPath;
    }

    /// <summary>The model file concerned.</summary>
    public string ModelPath { get; }
}
