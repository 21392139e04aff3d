using SkiaSharp;

namespace Serverless.Inference.Tests.Support;

/// <summary>Synthetic bitmaps and their encodings (SkiaSharp encodes JPEG, PNG and WebP).</summary>
internal static class SyntheticImages
{
    /// <summary>Smooth colour ramps, so JPEG loss and resampling stay small.</summary>
    public static unsafe SKBitmap Gradient(int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var pixels = (byte*)bitmap.GetPixels();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = pixels + (y * bitmap.RowBytes) + (x * 4);
                p[0] = (byte)(255 * x / Math.Max(1, width - 1));
                p[1] = (byte)(255 * y / Math.Max(1, height - 1));
                p[2] = (byte)(128 + (100 * Math.Sin((x + y) / 40.0)));
                p[3] = 255;
            }
        }

        return bitmap;
    }

    public static SKBitmap Solid(int width, int height, SKColor color)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        bitmap.Erase(color);
        return bitmap;
    }

    /// <summary>A colour with uniform noise of +-<paramref name="amplitude"/> per channel.</summary>
    public static unsafe SKBitmap Noisy(int width, int height, SKColor color, int amplitude, int seed)
    {
        var random = new Random(seed);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var pixels = (byte*)bitmap.GetPixels();
        byte[] rgb = [color.Red, color.Green, color.Blue];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = pixels + (y * bitmap.RowBytes) + (x * 4);
                for (var c = 0; c < 3; c++)
                {
                    p[c] = (byte)Math.Clamp(rgb[c] + random.Next(-amplitude, amplitude + 1), 0, 255);
                }

                p[3] = 255;
            }
        }

        return bitmap;
    }

    /// <summary>Quadrants red (top-left), green (top-right), blue (bottom-left), white (bottom-right).</summary>
    public static SKBitmap Quadrants(int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        using var paint = new SKPaint();
        void Fill(SKColor c, float l, float t, float r, float b)
        {
            paint.Color = c;
            canvas.DrawRect(SKRect.Create(l, t, r - l, b - t), paint);
        }

        Fill(SKColors.Red, 0, 0, width / 2f, height / 2f);
        Fill(SKColors.Lime, width / 2f, 0, width, height / 2f);
        Fill(SKColors.Blue, 0, height / 2f, width / 2f, height);
        Fill(SKColors.White, width / 2f, height / 2f, width, height);
        return bitmap;
    }

    /// <summary>A half-transparent disc on a transparent background, as unpremultiplied RGBA PNG.</summary>
    public static byte[] RgbaPng(int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        bitmap.Erase(SKColors.Transparent);
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = new SKColor(255, 120, 0, 160), IsAntialias = true })
        {
            canvas.DrawCircle(width / 2f, height / 2f, Math.Min(width, height) / 3f, paint);
        }

        return Encode(bitmap, SKEncodedImageFormat.Png);
    }

    /// <summary>A greyscale (single channel) PNG.</summary>
    public static byte[] GreyPng(int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var v = (byte)((x * 3 + y * 5) % 256);
                bitmap.SetPixel(x, y, new SKColor(v, v, v));
            }
        }

        return Encode(bitmap, SKEncodedImageFormat.Png);
    }

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 95)
    {
        using var data = bitmap.Encode(format, quality) ?? throw new InvalidOperationException($"SkiaSharp cannot encode {format}.");
        return data.ToArray();
    }
}
