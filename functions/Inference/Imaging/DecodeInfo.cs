using SkiaSharp;

namespace Serverless.Inference;

/// <summary>How an image was decoded.</summary>
/// <param name="Width">Width the header declares (stored orientation).</param>
/// <param name="Height">Height the header declares (stored orientation).</param>
/// <param name="DecodedWidth">Width decoded at (smaller when the codec scaled down).</param>
/// <param name="DecodedHeight">Height decoded at.</param>
/// <param name="Origin">EXIF origin applied.</param>
public readonly record struct DecodeInfo(int Width, int Height, int DecodedWidth, int DecodedHeight, SKEncodedOrigin Origin);
