using Microsoft.ML.OnnxRuntime;

namespace Serverless.Inference;

/// <summary>Loads a model, its manifest and labels, and checks them against each other.</summary>
internal static class ModelLoader
{
    public static LoadedModel Load(string modelPath, InferenceOptions options, string? presetOverride)
    {
        if (!File.Exists(modelPath))
        {
            throw new ModelLoadException(modelPath, "the model file does not exist.");
        }

        var manifest = ManifestLoader.Load(modelPath, presetOverride);
        var labels = ReadLabels(modelPath, manifest);

        InferenceSession session;
        using (var sessionOptions = CreateSessionOptions(options))
        {
            try
            {
                session = new InferenceSession(modelPath, sessionOptions);
            }
            catch (OnnxRuntimeException e)
            {
                throw new ModelLoadException(modelPath, $"ONNX Runtime rejected the file: {e.Message}", e);
            }
        }

        try
        {
            var signature = ModelSignature.Check(modelPath, session, manifest);
            if (labels is not null && signature.ClassCount is { } classes && labels.Count != classes)
            {
                throw new ModelLoadException(modelPath, $"the labels file '{manifest.Labels}' has {labels.Count} labels but output '{signature.OutputName}' has {classes} classes.");
            }

            return new LoadedModel(modelPath, manifest, labels, session, signature, options);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    internal static SessionOptions CreateSessionOptions(InferenceOptions options)
    {
        var so = new SessionOptions
        {
            IntraOpNumThreads = options.EffectiveIntraOpThreads,
            InterOpNumThreads = options.InterOpNumThreads,
            GraphOptimizationLevel = options.GraphOptimizationLevel,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        // Idle intra-op threads sleep instead of spin-waiting: on 2 cores a spinning ORT thread
        // steals the core that decodes the next batch (bench/run.sh inference: e2e CPU per image
        // 29.6 -> 26.4 ms, batch-1 loop 42 -> 25 ms, efficiency 0.75 -> 0.86 for MobileNetV2).
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return so;
    }

    private static IReadOnlyList<string>? ReadLabels(string modelPath, ModelManifest manifest)
    {
        if (manifest.Labels is null)
        {
            return null;
        }

        var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, manifest.Labels);
        if (!File.Exists(path))
        {
            throw new ModelLoadException(modelPath, $"the labels file '{path}' named by the manifest does not exist.");
        }

        return LabelFile.Read(path);
    }
}
