using System.Diagnostics;
using Serverless.ModelZoo;
using Serverless.TestSupport;

namespace Serverless.Inference.Tests.ModelZoo;

/// <summary>Writes mobilenetv2 and resnet50 once for the class, timing each write.</summary>
public sealed class ConvNetModelsFixture : IDisposable
{
    private readonly TempDir temp = new("modelzoo-convnets");
    private readonly Dictionary<string, (ModelZooOutput Output, TimeSpan Elapsed)> written = new();

    public ConvNetModelsFixture()
    {
        foreach (var name in new[] { "mobilenetv2", "resnet50" })
        {
            var stopwatch = Stopwatch.StartNew();
            var output = ModelZooWriter.Write(name, temp.Combine(name + ".onnx"));
            written[name] = (output, stopwatch.Elapsed);
        }
    }

    public TempDir Temp => temp;

    public ModelZooOutput Output(string name) => written[name].Output;

    public TimeSpan WriteTime(string name) => written[name].Elapsed;

    public void Dispose() => temp.Dispose();
}
