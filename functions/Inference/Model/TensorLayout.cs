namespace Serverless.Inference;

/// <summary>Memory layout of the image input tensor.</summary>
public enum TensorLayout
{
    /// <summary>[batch, channels, height, width] (PyTorch, most ONNX exports).</summary>
    NCHW,

    /// <summary>[batch, height, width, channels] (TensorFlow/Keras exports).</summary>
    NHWC,
}
