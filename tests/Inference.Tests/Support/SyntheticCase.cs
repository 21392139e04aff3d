using SkiaSharp;

namespace Serverless.Inference.Tests.Support;

/// <summary>Named synthetic inputs for the preprocessing comparison: format, size, preset, layout.</summary>
internal static class SyntheticCase
{
    public static IReadOnlyList<string> Names { get; } =
    [
        "jpeg-landscape-640x480", "png-landscape-301x217", "png-portrait-217x301", "png-tiny-31x17-upscaled",
        "png-caffe-bgr-nhwc", "png-vit-straight-500x333", "png-cover-crop-no-resize-shorter", "webp-320x240",
        "bmp-200x150", "gif-solid", "png-grey", "png-rgba-on-black", "png-rgba-on-white", "png-16bit",
    ];

    public static (byte[] Bytes, ModelManifest Manifest, bool White) Build(string name)
    {
        var imagenet = ManifestPresets.Get("imagenet");
        return name switch
        {
            "jpeg-landscape-640x480" => (Encode(640, 480, SKEncodedImageFormat.Jpeg), imagenet, false),
            "png-landscape-301x217" => (Encode(301, 217, SKEncodedImageFormat.Png), imagenet, false),
            "png-portrait-217x301" => (Encode(217, 301, SKEncodedImageFormat.Png), imagenet, false),
            "png-tiny-31x17-upscaled" => (Encode(31, 17, SKEncodedImageFormat.Png), imagenet, false),
            "png-caffe-bgr-nhwc" => (Encode(300, 260, SKEncodedImageFormat.Png), ManifestPresets.Get("caffe") with { Layout = TensorLayout.NHWC }, false),
            "png-vit-straight-500x333" => (Encode(500, 333, SKEncodedImageFormat.Png), ManifestPresets.Get("vit"), false),
            "png-cover-crop-no-resize-shorter" => (Encode(400, 250, SKEncodedImageFormat.Png), imagenet with { ResizeShorter = null, Width = 200, Height = 160 }, false),
            "webp-320x240" => (Encode(320, 240, SKEncodedImageFormat.Webp), imagenet, false),
            "bmp-200x150" => (Bmp(200, 150), imagenet, false),
            "gif-solid" => (GifWriter.SolidFrames(64, 48, SKColors.Orange, SKColors.Blue), imagenet, false),
            "png-grey" => (SyntheticImages.GreyPng(300, 200), imagenet, false),
            "png-rgba-on-black" => (SyntheticImages.RgbaPng(320, 256), imagenet, false),
            "png-rgba-on-white" => (SyntheticImages.RgbaPng(320, 256), imagenet, true),
            "png-16bit" => (PngWriter.Rgb16(260, 300, (x, y) => ((ushort)(x * 250), (ushort)(y * 210), 40000)), imagenet, false),
            _ => throw new ArgumentException(name),
        };
    }

    private static byte[] Encode(int width, int height, SKEncodedImageFormat format)
    {
        using var bitmap = SyntheticImages.Gradient(width, height);
        return SyntheticImages.Encode(bitmap, format);
    }

    private static byte[] Bmp(int width, int height)
    {
        using var bitmap = SyntheticImages.Gradient(width, height);
        return BmpWriter.Encode(bitmap);
    }
}
