namespace Serverless.ModelZoo.Models;

/// <summary>Shapes of the dominant-colour graph; WrongSize and ChannelsLast contradict the manifest.</summary>
public enum DominantColorVariant
{
    /// <summary>Input [N,3,224,224], as the manifest says.</summary>
    Standard,

    /// <summary>Input [N,3,100,100] while the manifest says 224x224.</summary>
    WrongSize,

    /// <summary>Input [N,224,224,3] (NHWC) while the manifest says NCHW.</summary>
    ChannelsLast,

    /// <summary>A feature extractor: the one output is <c>features</c> [N, 3], no class scores, no labels.</summary>
    FeaturesOnly,
}
