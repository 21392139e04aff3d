using Microsoft.ML.OnnxRuntime;

namespace Serverless.Inference.Tests.ModelZoo;

/// <summary>Opens generated models in ONNX Runtime and runs one float input through them.</summary>
internal static class OrtRunner
{
    public static InferenceSession Open(string modelPath)
    {
        using var options = new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount };
        return new InferenceSession(modelPath, options);
    }

    public static (float[] Values, long[] Shape) Run(InferenceSession session, string input, string output, float[] data, params long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [input], [value], [output]);
        var result = results.First();
        return (result.GetTensorDataAsSpan<float>().ToArray(), result.GetTensorTypeAndShape().Shape);
    }

    public static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best])
            {
                best = i;
            }
        }

        return best;
    }
}
