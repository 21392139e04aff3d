using Microsoft.ML.OnnxRuntime;

namespace Serverless.Inference;

/// <summary>
/// Runs the shared session on a prepared batch and turns its scores into predictions. When the run
/// fails or its output has the wrong shape for the batch (a graph whose shapes the load could not
/// check), every image of the batch fails with inference_failed and the reason; none gets scores
/// sliced from a tensor of another shape.
/// </summary>
internal sealed class BatchRunner(LoadedModel model, int topK)
{
    private readonly string[] inputNames = [model.Signature.InputName];
    private readonly string[] outputNames = [model.Signature.OutputName];

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
            var scores = outputs[0].GetTensorDataAsSpan<float>();
            var shape = outputs[0].GetTensorTypeAndShape().Shape;
            if (shape.Length < 2 || shape[0] != rows || scores.Length % rows != 0 || (model.Signature.ClassCount is { } expected && scores.Length != (long)rows * expected))
            {
                return FailAll(batch, results, $"output '{model.Signature.OutputName}' has shape [{string.Join(", ", shape)}] for a batch of {rows}; expected [{rows}, {model.Signature.ClassCount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "classes"}].");
            }

            var classes = scores.Length / rows;
            var softmax = !model.Manifest.OutputIsProbabilities;
            for (var i = 0; i < n; i++)
            {
                if (batch.Errors[i] is null)
                {
                    var top = TopK.Select(scores.Slice(i * classes, classes), topK, softmax, model.LabelOf);
                    results[i] = new Prediction(batch.Inputs[i].Key, top, null);
                }
            }
        }

        return results;
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
