using SkiaSharp;

namespace Serverless.Inference;

/// <summary>
/// Where the center crop (planned in displayed orientation) lies in the stored image: the image is
/// resized as stored and oriented while the tensor is written, so the resize computes this window.
/// </summary>
internal static class StoredWindow
{
    /// <summary>The crop of <paramref name="plan"/> as a rectangle of the stored, resized image of size <paramref name="stored"/>.</summary>
    public static SKRectI Of(ResizePlan plan, ModelManifest manifest, SKEncodedOrigin origin, SKSizeI stored)
    {
        var (x0, y0) = ToStored(plan.CropX, plan.CropY, origin, stored);
        var (x1, y1) = ToStored(plan.CropX + manifest.Width - 1, plan.CropY + manifest.Height - 1, origin, stored);
        return new SKRectI(Math.Min(x0, x1), Math.Min(y0, y1), Math.Max(x0, x1) + 1, Math.Max(y0, y1) + 1);
    }

    /// <summary>The stored pixel shown at displayed (u, v); the inverse of the EXIF orientation.</summary>
    private static (int X, int Y) ToStored(int u, int v, SKEncodedOrigin origin, SKSizeI stored)
    {
        int w = stored.Width, h = stored.Height;
        return origin switch
        {
            SKEncodedOrigin.TopRight => (w - 1 - u, v),
            SKEncodedOrigin.BottomRight => (w - 1 - u, h - 1 - v),
            SKEncodedOrigin.BottomLeft => (u, h - 1 - v),
            SKEncodedOrigin.LeftTop => (v, u),
            SKEncodedOrigin.RightTop => (v, h - 1 - u),
            SKEncodedOrigin.RightBottom => (w - 1 - v, h - 1 - u),
            SKEncodedOrigin.LeftBottom => (w - 1 - v, u),
            _ => (u, v),
        };
    }
}
