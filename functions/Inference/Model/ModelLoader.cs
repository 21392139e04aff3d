using Microsoft.ML.OnnxRuntime;

namespace Serverless.Inference;

/// <summary>
/// Loads a model as users export it: manifest fields from its layers, layout, size and classes from
/// the graph, labels from wherever they are, a batch dimension fixed at 1 made symbolic when the
/// graph allows it; and checks them against each other.
/// </summary>
internal static class ModelLoader
{
    public static LoadedModel Load(string modelPath, InferenceOptions options, string? presetOverride, Action<string> log)
    {
        if (!File.Exists(modelPath))
        {
            throw new ModelLoadException(modelPath, "the model file does not exist.");
        }

        var session = CreateSession(modelPath, options, so => new InferenceSession(modelPath, so));
        try
        {
            var layers = ManifestLoader.Layers(modelPath, session.ModelMetadata.CustomMetadataMap);
            var naming = layers.LastOrDefault(l => l.Fields.InputName is not null);
            var inputName = ModelSignature.ImageInput(modelPath, session, naming?.Fields.InputName, naming?.Source);
            var resolved = ManifestResolver.Resolve(modelPath, layers, presetOverride, session.InputMetadata[inputName].Dimensions);
            var signature = ModelSignature.Check(modelPath, session, resolved);
            var (labels, labelsSource) = LabelSource.Read(modelPath, resolved.Manifest, resolved.Sources["labels"]);
            if (labels is not null && signature.ClassCount is { } classes && labels.Count != classes)
            {
                throw new ModelLoadException(modelPath, $"the labels file {labelsSource} has {labels.Count} labels but output '{signature.OutputName}' has {classes} classes.");
            }

            var batch = BatchFor(modelPath, ref session, ref signature, resolved, options, log);
            return new LoadedModel(modelPath, resolved, labels, labelsSource, session, signature, batch.Mode, batch.Reason, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // A manifest or labels file that exists but cannot be read: the model's error, not the server's.
            session.Dispose();
            throw new ModelLoadException(modelPath, $"its manifest or labels cannot be read: {e.Message}", e);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// How batches run. A graph whose batch is fixed at 1 would run one image at a time: rewrite it
    /// with a symbolic batch and keep the rewrite only if a batch of 2 gives each image's own scores.
    /// </summary>
    private static (string Mode, string Reason) BatchFor(string modelPath, ref InferenceSession session, ref ModelSignature signature, ResolvedManifest resolved, InferenceOptions options, Action<string> log)
    {
        switch (signature.FixedBatchSize)
        {
            case null:
                return ("dynamic", "as exported");
            case > 1:
                return ($"fixed at {signature.FixedBatchSize}", "the graph fixes it above 1: every batch runs at that size, a short one padded");
        }

        var (rewritten, reason) = BatchDimension.MakeSymbolic(File.ReadAllBytes(modelPath));
        if (rewritten is not null)
        {
            InferenceSession? candidate = null;
            try
            {
                using var sessionOptions = CreateSessionOptions(options);
                candidate = new InferenceSession(rewritten, sessionOptions);
            }
            catch (OnnxRuntimeException e)
            {
                reason = $"ONNX Runtime refuses the rewritten graph: {e.Message}";
            }

            if (candidate is not null)
            {
                var candidateSignature = ModelSignature.Check(modelPath, candidate, resolved);
                reason = candidateSignature.FixedBatchSize is null ? BatchProbe.Check(candidate, candidateSignature, resolved.Manifest) : "the rewrite left the input's batch fixed";
                if (reason is null)
                {
                    session.Dispose();
                    (session, signature) = (candidate, candidateSignature);
                    return ("dynamic", "the graph fixed it at 1 (torch.onnx.export's default); made symbolic at load, checked with a batch of 2");
                }

                candidate.Dispose();
            }
        }

        log($"model {modelPath}: the graph fixes the batch at 1 and it cannot be made symbolic ({reason}); images run one at a time.");
        return ("fixed at 1, one image at a time", $"the graph fixes it and it cannot be made symbolic: {reason}");
    }

    private static InferenceSession CreateSession(string modelPath, InferenceOptions options, Func<SessionOptions, InferenceSession> create)
    {
        using var sessionOptions = CreateSessionOptions(options);
        try
        {
            return create(sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelLoadException(modelPath, $"ONNX Runtime rejected the file: {e.Message}", e);
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
}
