using Serverless.Inference.Quantization;
using Serverless.Inference.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Inference.Tests.Quantization;

/// <summary>
/// The exported small CNN of tests/fidelity with an imprinted head (<see cref="HeadImprinter"/>),
/// quantized once for the tests of this class, calibrated on every fourth sample photo (50).
/// </summary>
public sealed class SmallCnnQuantizationFixture : IDisposable
{
    private readonly TempDir temp = new("quantization");

    public SmallCnnQuantizationFixture()
    {
        CalibrationFolder = temp.Combine("calibration");
        Directory.CreateDirectory(CalibrationFolder);
        var photos = File.ReadAllLines(Goldens.Path("photos.txt")).Where(l => l.Length > 0).ToArray();
        for (var i = 0; i < photos.Length; i += 4)
        {
            File.Copy(Path.Combine(RepoPaths.ImagenetSample200, photos[i]), Path.Combine(CalibrationFolder, photos[i]));
        }

        Photos = photos;
        FloatModel = temp.Combine("model", "small-cnn.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(FloatModel)!);
        HeadImprinter.Write(SmallCnn.ModelPath, photos.Select(p => Path.Combine(RepoPaths.ImagenetSample200, p)).ToArray(), FloatModel);
        QuantizedModel = temp.Combine("int8", "small-cnn.int8.onnx");
        Result = ModelQuantizer.Quantize(FloatModel, CalibrationFolder, QuantizedModel);
    }

    public string CalibrationFolder { get; }

    public IReadOnlyList<string> Photos { get; }

    public string FloatModel { get; }

    public string QuantizedModel { get; }

    public QuantizeResult Result { get; }

    public string Temp(string name) => temp.Combine(name);

    public void Dispose() => temp.Dispose();
}
