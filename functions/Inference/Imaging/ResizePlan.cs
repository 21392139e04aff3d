namespace Serverless.Inference;

/// <summary>
/// Where an image of a given (oriented) size goes: the size it is resized to and the offset of
/// the center crop, following torchvision (Resize(int) truncates the long side; CenterCrop
/// rounds the offset half to even, like Python's round).
/// </summary>
/// <param name="Width">Width after the resize.</param>
/// <param name="Height">Height after the resize.</param>
/// <param name="CropX">Left of the crop in the resized image.</param>
/// <param name="CropY">Top of the crop in the resized image.</param>
public readonly record struct ResizePlan(int Width, int Height, int CropX, int CropY)
{
    /// <summary>Plans the resize and crop of a <paramref name="width"/> x <paramref name="height"/> image.</summary>
    public static ResizePlan For(int width, int height, ModelManifest m)
    {
        if (!m.Crop)
        {
            return new ResizePlan(m.Width, m.Height, 0, 0);
        }

        int rw, rh;
        if (m.ResizeShorter is { } s)
        {
            (rw, rh) = width <= height
                ? (s, (int)((long)s * height / width))
                : ((int)((long)s * width / height), s);
        }
        else
        {
            // Cover the crop with the aspect kept.
            var scale = Math.Max((double)m.Width / width, (double)m.Height / height);
            rw = (int)Math.Round(width * scale);
            rh = (int)Math.Round(height * scale);
        }

        rw = Math.Max(rw, m.Width);
        rh = Math.Max(rh, m.Height);
        return new ResizePlan(rw, rh, (int)Math.Round((rw - m.Width) / 2.0), (int)Math.Round((rh - m.Height) / 2.0));
    }
}
