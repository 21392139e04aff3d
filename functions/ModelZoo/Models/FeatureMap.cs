namespace Serverless.ModelZoo.Models;

/// <summary>A named NCHW activation in a graph under construction, with its per-image shape.</summary>
internal readonly record struct FeatureMap(string Name, int Channels, int Height, int Width);
