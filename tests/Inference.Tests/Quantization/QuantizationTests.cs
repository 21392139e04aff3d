using Onnx;
using Serverless.Inference.Quantization;
using Serverless.Inference.Tests.Support;
using Serverless.TestSupport;
using Xunit.Abstractions;

namespace Serverless.Inference.Tests.Quantization;

/// <summary>Static INT8 quantization of a real export: agreement with the float model, the QDQ graph, and the inputs it refuses.</summary>
public sealed class QuantizationTests(SmallCnnQuantizationFixture fixture, ITestOutputHelper output) : IClassFixture<SmallCnnQuantizationFixture>
{
    [Fact]
    public async Task TopOneOfTheInt8ModelAgreesWithTheFloatModelOnAtLeast99PercentOfThePhotos()
    {
        var inputs = fixture.Photos.Select(p => ImageInput.FromFile(p, Path.Combine(RepoPaths.ImagenetSample200, p))).ToArray();
        using var cache = new ModelCache();
        var float32 = await ClassifyAsync(cache.GetOrLoad(fixture.FloatModel), inputs);
        var int8 = await ClassifyAsync(cache.GetOrLoad(fixture.QuantizedModel), inputs);

        // Outputs that hardly change from photo to photo would agree with anything.
        Assert.True(float32.Distinct().Count() >= 20, $"the float model's top-1 spreads over {float32.Distinct().Count()} classes only");
        var agreeing = float32.Zip(int8).Count(p => p.First == p.Second);
        var agreement = (double)agreeing / inputs.Length;
        output.WriteLine($"int8 top-1 agreement {agreement:P1} ({agreeing}/{inputs.Length}); {fixture.Result}");
        Assert.True(agreement >= 0.99, $"int8 top-1 agrees with fp32 on {agreeing} of {inputs.Length} photos");
    }

    [Fact]
    public void WeightsArePerChannelInt8AndActivationsUint8WithPositiveScales()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(fixture.QuantizedModel));
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var producers = graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(x => x.o, x => x.n);
        var computes = graph.Node.Where(n => n.OpType is "Conv" or "Gemm").ToArray();
        Assert.Equal(5, computes.Length); // four convolutions and the head
        Assert.Equal(computes.Length, fixture.Result.QuantizedNodes);
        Assert.DoesNotContain(graph.Node, n => n.OpType == "Relu"); // folded into the Q after each Conv

        foreach (var node in computes)
        {
            var weightDq = producers[node.Input[1]];
            Assert.Equal("DequantizeLinear", weightDq.OpType);
            var weight = initializers[weightDq.Input[0]];
            var scales = QuantizedModelReader.Floats(initializers[weightDq.Input[1]]);
            var zeroPoints = initializers[weightDq.Input[2]];
            var axis = weightDq.Attribute.Single(a => a.Name == "axis").I;
            var channels = weight.Dims[(int)axis];
            Assert.Equal((int)TensorProto.Types.DataType.Int8, weight.DataType);
            Assert.Equal((int)TensorProto.Types.DataType.Int8, zeroPoints.DataType);
            Assert.Equal(channels, scales.Length); // one scale per output channel
            Assert.All(scales, s => Assert.True(s > 0 && float.IsFinite(s), $"{node.Name}: weight scale {s}"));
            Assert.All(zeroPoints.RawData.ToByteArray(), z => Assert.Equal(0, z)); // symmetric
            Assert.All(weight.RawData.ToByteArray(), b => Assert.InRange((sbyte)b, -64, 64)); // 7 bits: vpmaddubsw cannot saturate

            // The pattern ONNX Runtime fuses: DQ on the activation, int32 bias behind DQ, Q on the output (the head's stays float).
            Assert.Equal("DequantizeLinear", producers[node.Input[0]].OpType);
            Assert.Equal((int)TensorProto.Types.DataType.Int32, initializers[producers[node.Input[2]].Input[0]].DataType);
            var readers = graph.Node.Where(n => n.Input.Contains(node.Output[0])).ToArray();
            if (node.OpType == "Conv")
            {
                Assert.Equal("QuantizeLinear", Assert.Single(readers).OpType);
            }
        }

        foreach (var q in graph.Node.Where(n => n.OpType == "QuantizeLinear"))
        {
            var scale = QuantizedModelReader.Floats(initializers[q.Input[1]]);
            var zeroPoint = initializers[q.Input[2]];
            Assert.True(Assert.Single(scale) is > 0 and < float.PositiveInfinity, $"{q.Name}: scale {scale[0]}");
            Assert.Equal((int)TensorProto.Types.DataType.Uint8, zeroPoint.DataType);
            Assert.Single(zeroPoint.RawData.ToByteArray()); // one uint8 in [0, 255] per tensor
        }

        Assert.Contains(model.MetadataProps, p => p.Key == ModelQuantizer.MetadataKey);
        Assert.Contains(model.MetadataProps, p => p.Key == "preset" || p.Key == "quantization.source");
    }

    [Fact]
    public void OnnxRuntimeFusesTheConvolutionsIntoQLinearConv()
    {
        var optimized = QuantizedModelReader.OptimizedOps(fixture.QuantizedModel, fixture.Temp("optimized.onnx"));
        output.WriteLine(string.Join(", ", optimized.GroupBy(o => o).Select(g => $"{g.Key} x{g.Count()}")));
        Assert.Equal(4, optimized.Count(o => o == "QLinearConv"));
        Assert.Contains("QGemm", optimized);
        Assert.DoesNotContain("Conv", optimized);
        Assert.DoesNotContain("Gemm", optimized);
    }

    [Fact]
    public void TheLabelsTravelWithTheQuantizedModel()
    {
        Assert.Contains(fixture.Result.Sidecars, p => p.EndsWith("small-cnn.int8.labels.txt", StringComparison.Ordinal));
        using var cache = new ModelCache();
        Assert.Equal(1000, cache.GetOrLoad(fixture.QuantizedModel).Labels?.Count);
    }

    [Fact]
    public void PercentileCalibrationNarrowsTheActivationRanges()
    {
        var path = fixture.Temp("percentile/small-cnn.int8.onnx");
        ModelQuantizer.Quantize(fixture.FloatModel, fixture.CalibrationFolder, path, new QuantizeOptions { Method = CalibrationMethod.Percentile, Percentile = 99.9 });
        var minMax = ActivationScales(fixture.QuantizedModel);
        var percentile = ActivationScales(path);
        Assert.Equal(minMax.Keys.Order(), percentile.Keys.Order());
        Assert.All(minMax, kv => Assert.True(percentile[kv.Key] <= kv.Value * 1.001f, $"{kv.Key}: {percentile[kv.Key]} > {kv.Value}"));
        Assert.Contains(minMax, kv => percentile[kv.Key] < kv.Value * 0.9f);
    }

    [Fact]
    public void QuantizingAQuantizedModelIsAClearError()
    {
        var error = Assert.Throws<QuantizationException>(() =>
            ModelQuantizer.Quantize(fixture.QuantizedModel, fixture.CalibrationFolder, fixture.Temp("twice.onnx")));
        Assert.Contains("already quantized", error.Message);
    }

    [Fact]
    public void AModelWithoutConvOrGemmIsAClearError()
    {
        var path = TinyGraphs.MeanColor(fixture.Temp("mean-color/mean-color.onnx"), "N");
        var error = Assert.Throws<QuantizationException>(() =>
            ModelQuantizer.Quantize(path, fixture.CalibrationFolder, fixture.Temp("mean-color.int8.onnx")));
        Assert.Contains("no Conv, Gemm or MatMul", error.Message);
    }

    [Fact]
    public void AnEmptyCalibrationFolderIsAClearError()
    {
        var empty = fixture.Temp("empty");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "notes.txt"), "not an image");
        var error = Assert.Throws<QuantizationException>(() =>
            ModelQuantizer.Quantize(fixture.FloatModel, empty, fixture.Temp("empty.int8.onnx")));
        Assert.Contains("has no images", error.Message);
        Assert.False(File.Exists(fixture.Temp("empty.int8.onnx")));
    }

    private static Dictionary<string, float> ActivationScales(string path)
    {
        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        return graph.Node.Where(n => n.OpType == "QuantizeLinear").ToDictionary(n => n.Input[0], n => QuantizedModelReader.Floats(initializers[n.Input[1]])[0]);
    }

    private static async Task<int[]> ClassifyAsync(LoadedModel model, IReadOnlyList<ImageInput> inputs)
    {
        using var classifier = new BatchClassifier(model, batchSize: 32, topK: 1);
        var predictions = await classifier.ClassifyAsync(inputs, CancellationToken.None);
        return predictions.Select(p => p.Succeeded ? p.Top[0].Index : throw new InvalidOperationException($"{p.Key}: {p.Error}")).ToArray();
    }
}
