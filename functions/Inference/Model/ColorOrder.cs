namespace Serverless.Inference;

/// <summary>Order of the three colour channels in the input tensor.</summary>
public enum ColorOrder
{
    /// <summary>Red, green, blue (torchvision, ViT).</summary>
    RGB,

    /// <summary>Blue, green, red (Caffe, OpenCV-trained models).</summary>
    BGR,
}
