using Microsoft.ML.OnnxRuntime;

namespace Serverless.Inference;

/// <summary>
/// Runs the shared session on a prepared batch and turns its scores into predictions. When the run
/// fails or its output has the wrong shape for the batch (a graph whose shapes the load could not
/// check), every image of the batch fails with inference_failed and the reason; none gets scores
/// sliced from a tensor of another shape. Named outputs (a job's <c>outputs</c>) are fetched in the
/// same run and copied per image; when they include the class output, there is no top-k.
/// </summary>
internal sealed class BatchRunner(LoadedModel model, int topK, IReadOnlyList<string> named)
{
    private readonly string[] inputNames = [model.Signature.InputName];
    private readonly bool scores = ModelOutputs.HasScores(model, named);
    private readonly string[] outputNames = ModelOutputs.HasScores(model, named) ? [model.Signature.OutputName, .. named] : [.. named];

    public Prediction[] Run(PreparedBatch batch, CancellationToken cancellationToken)
    {
        var n = batch.Inputs.Count;
        var results = new Prediction[n];
        var anyOk = false;
        for (var i = 0; i < n; i++)
        {
            if (batch.Errors[i] is { } error)
            {
                results[i] = new Prediction(batch.Inputs[i].Key, [], error);
            }
            else
            {
                anyOk = true;
            }
        }

        if (!anyOk)
        {
            return results;
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        var (input, rows) = batch.Tensor.ValueFor(n);
        IDisposableReadOnlyCollection<OrtValue> outputs;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            outputs = model.Session.Run(runOptions, inputNames, [input], outputNames);
            InferenceMetrics.RecordRun(clock.Elapsed, model.FileName);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("Inference was cancelled.", cancellationToken);
        }
        catch (OnnxRuntimeException e)
        {
            return FailAll(batch, results, $"ONNX Runtime failed on this batch of {rows}: {e.Message}");
        }

        using (outputs)
        {
            var vectors = new Dictionary<string, float[]>[n];
            for (var j = scores ? 1 : 0; j < outputNames.Length; j++)
            {
                if (Slice(outputs[j], outputNames[j], rows, n, batch, vectors) is { } problem)
                    return FailAll(batch, results, problem);
            }

            var classes = 0;
            var all = scores ? outputs[0].GetTensorDataAsSpan<float>() : default;
            if (scores)
            {
                var shape = outputs[0].GetTensorTypeAndShape().Shape;
                if (shape.Length < 2 || shape[0] != rows || all.Length % rows != 0 || (model.Signature.ClassCount is { } expected && all.Length != (long)rows * expected))
                {
                    return FailAll(batch, results, $"output '{model.Signature.OutputName}' has shape [{string.Join(", ", shape)}] for a batch of {rows}; expected [{rows}, {model.Signature.ClassCount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "classes"}].");
                }

                classes = all.Length / rows;
            }

            var softmax = !model.Manifest.OutputIsProbabilities;
            for (var i = 0; i < n; i++)
            {
                if (batch.Errors[i] is null)
                {
                    var top = scores ? TopK.Select(all.Slice(i * classes, classes), topK, softmax, model.LabelOf) : [];
                    results[i] = new Prediction(batch.Inputs[i].Key, top, null) { Outputs = vectors[i] };
                }
            }
        }

        return results;
    }

    // One named output's vectors, image by image; a shape that does not split into the batch's rows is the batch's failure.
    private static string? Slice(OrtValue value, string name, int rows, int n, PreparedBatch batch, Dictionary<string, float[]>[] vectors)
    {
        var data = value.GetTensorDataAsSpan<float>();
        var shape = value.GetTensorTypeAndShape().Shape;
        if (shape.Length < 1 || shape[0] != rows || data.Length % rows != 0)
            return $"output '{name}' has shape [{string.Join(", ", shape)}] for a batch of {rows}; expected the batch first.";
        var length = data.Length / rows;
        for (var i = 0; i < n; i++)
        {
            if (batch.Errors[i] is null)
                (vectors[i] ??= new Dictionary<string, float[]>(StringComparer.Ordinal))[name] = data.Slice(i * length, length).ToArray();
        }

        return null;
    }

    private static Prediction[] FailAll(PreparedBatch batch, Prediction[] results, string reason)
    {
        for (var i = 0; i < results.Length; i++)
        {
            results[i] ??= Prediction.Failed(batch.Inputs[i].Key, PredictionErrorCodes.InferenceFailed, reason);
        }

        return results;
    }
}
