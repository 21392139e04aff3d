using Serverless.Inference.Tests.Support;
using SkiaSharp;

namespace Serverless.Inference.Tests;

/// <summary>The dashboard's thumbnails: scaled down to fit, never up, EXIF orientation applied, the classification limits kept.</summary>
public sealed class ThumbnailerTests
{
    [Fact]
    public void A_large_image_is_scaled_down_to_fit_keeping_its_aspect_and_its_colours()
    {
        using var image = SyntheticImages.Solid(800, 400, new SKColor(200, 30, 40));
        using var thumbnail = SKBitmap.Decode(Thumbnailer.Render(SyntheticImages.Encode(image, SKEncodedImageFormat.Jpeg), 160, InferenceOptions.Default));

        Assert.Equal((160, 80), (thumbnail.Width, thumbnail.Height));
        var pixel = thumbnail.GetPixel(80, 40);
        Assert.InRange(pixel.Red, 180, 220);
        Assert.InRange(pixel.Green, 10, 50);
    }

    [Fact]
    public void A_small_image_is_not_scaled_up_and_transparency_is_drawn_on_white()
    {
        using var image = new SKBitmap(new SKImageInfo(40, 30, SKColorType.Rgba8888, SKAlphaType.Premul));
        image.Erase(SKColors.Transparent);
        using var thumbnail = SKBitmap.Decode(Thumbnailer.Render(SyntheticImages.Encode(image, SKEncodedImageFormat.Png), 256, InferenceOptions.Default));

        Assert.Equal((40, 30), (thumbnail.Width, thumbnail.Height));
        Assert.True(thumbnail.GetPixel(20, 15).Red > 240, "transparent pixels should be white");
    }

    [Fact]
    public void The_exif_orientation_is_applied()
    {
        // Stored 200x100, left half red and right half blue; orientation 6 (rotate 90° clockwise) shows it 100x200, red on top.
        using var image = SyntheticImages.Solid(200, 100, SKColors.Blue);
        using (var canvas = new SKCanvas(image))
            canvas.DrawRect(0, 0, 100, 100, new SKPaint { Color = SKColors.Red });
        var jpeg = ExifJpeg.WithOrientation(SyntheticImages.Encode(image, SKEncodedImageFormat.Jpeg), 6);
        using var thumbnail = SKBitmap.Decode(Thumbnailer.Render(jpeg, 100, InferenceOptions.Default));

        Assert.Equal((50, 100), (thumbnail.Width, thumbnail.Height));
        Assert.True(thumbnail.GetPixel(25, 10).Red > 200 && thumbnail.GetPixel(25, 90).Blue > 200, "rotated the wrong way");
    }

    [Fact]
    public void Bad_images_get_their_reason_codes()
    {
        Assert.Equal(PredictionErrorCodes.EmptyFile, Assert.Throws<ImageRejectedException>(() => Thumbnailer.Render([], 64, InferenceOptions.Default)).Code);
        Assert.Equal(PredictionErrorCodes.UnsupportedFormat, Assert.Throws<ImageRejectedException>(() => Thumbnailer.Render("text"u8, 64, InferenceOptions.Default)).Code);
        Assert.Equal(PredictionErrorCodes.TooLarge, Assert.Throws<ImageRejectedException>(() => Thumbnailer.Render(PngWriter.DeclaringHugeImage(50000, 50000), 64, InferenceOptions.Default)).Code);
        Assert.Throws<ArgumentOutOfRangeException>(() => Thumbnailer.Render([1], Thumbnailer.MaxSize + 1, InferenceOptions.Default));
    }
}
