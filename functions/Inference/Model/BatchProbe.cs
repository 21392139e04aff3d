using Microsoft.ML.OnnxRuntime;

namespace Serverless.Inference;

/// <summary>
/// Checks that a graph batches: two different images run as a batch of 2 must give each image's
/// scores of a batch of 1. A rewritten batch dimension can run yet be wrong (a Reshape that folds
/// the batch into the features mixes the images); this catches that as well as a failing run.
/// </summary>
internal static class BatchProbe
{
    /// <summary>Null when batches of 2 work, else why not.</summary>
    public static string? Check(InferenceSession session, ModelSignature signature, ModelManifest manifest)
    {
        var perImage = 3 * manifest.Width * manifest.Height;
        var images = new float[2 * perImage];
        for (var i = 0; i < images.Length; i++)
        {
            // Two smooth, different patterns of the size of normalized pixels.
            images[i] = (float)(i < perImage ? Math.Sin(i * 0.001) : Math.Cos(i * 0.0007)) * 2f;
        }

        try
        {
            var pair = Run(session, signature, manifest, images, 2);
            var first = Run(session, signature, manifest, images.AsSpan(0, perImage).ToArray(), 1);
            var second = Run(session, signature, manifest, images.AsSpan(perImage).ToArray(), 1);
            if (pair.Length != first.Length + second.Length)
            {
                return $"a batch of 2 gives {pair.Length} scores, a batch of 1 {first.Length}";
            }

            var scale = first.Concat(second).Max(Math.Abs);
            var differ = pair.Zip(first.Concat(second)).Max(p => Math.Abs(p.First - p.Second));
            return differ <= 1e-4 + (1e-3 * scale) ? null : $"a batch of 2 gives other scores than each image alone (by up to {differ:G3}): the graph mixes the images";
        }
        catch (OnnxRuntimeException e)
        {
            return $"a batch of 2 fails: {e.Message}";
        }
    }

    private static float[] Run(InferenceSession session, ModelSignature signature, ModelManifest manifest, float[] images, int count)
    {
        long[] shape = manifest.Layout == TensorLayout.NCHW ? [count, 3, manifest.Height, manifest.Width] : [count, manifest.Height, manifest.Width, 3];
        using var input = OrtValue.CreateTensorValueFromMemory(images, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [signature.InputName], [input], [signature.OutputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
