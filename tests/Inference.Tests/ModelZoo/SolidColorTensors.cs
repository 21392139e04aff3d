using Serverless.ModelZoo.Models;

namespace Serverless.Inference.Tests.ModelZoo;

/// <summary>ImageNet-normalized input tensors filled with known colours.</summary>
internal static class SolidColorTensors
{
    /// <summary>One image per colour, NCHW (or NHWC), every pixel the normalized colour.</summary>
    public static float[] Batch(IReadOnlyList<(float R, float G, float B)> colors, int size, bool channelsLast = false)
    {
        var plane = size * size;
        var data = new float[colors.Count * 3 * plane];
        for (var n = 0; n < colors.Count; n++)
        {
            float[] rgb = [colors[n].R, colors[n].G, colors[n].B];
            for (var c = 0; c < 3; c++)
            {
                var value = ImageNetNormalization.Normalize(c, rgb[c]);
                for (var p = 0; p < plane; p++)
                {
                    var index = channelsLast ? (((n * plane) + p) * 3) + c : (((n * 3) + c) * plane) + p;
                    data[index] = value;
                }
            }
        }

        return data;
    }

    /// <summary>One NCHW image whose left half is one colour and right half another.</summary>
    public static float[] SplitImage((float R, float G, float B) left, (float R, float G, float B) right, int size)
    {
        var data = new float[3 * size * size];
        float[] l = [left.R, left.G, left.B];
        float[] r = [right.R, right.G, right.B];
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    data[(((c * size) + y) * size) + x] = ImageNetNormalization.Normalize(c, x < size / 2 ? l[c] : r[c]);
                }
            }
        }

        return data;
    }
}
