namespace Serverless.Inference;

/// <summary>Reads and decodes one batch of images into a tensor, in parallel; a bad image only fails its slot.</summary>
internal sealed class BatchPreparer(LoadedModel model)
{
    public async Task<PreparedBatch> PrepareAsync(BatchTensor tensor, IReadOnlyList<ImageInput> inputs, CancellationToken cancellationToken)
    {
        var n = inputs.Count;
        var errors = new PredictionError?[n];
        var bytes = new ReadOnlyMemory<byte>[n];

        // Reads may be I/O (storage, disk): start them all, then decode.
        var reads = new Task[n];
        for (var i = 0; i < n; i++)
        {
            reads[i] = ReadAsync(inputs[i], i, bytes, errors, cancellationToken);
        }

        await Task.WhenAll(reads).ConfigureAwait(false);

        var decode = System.Diagnostics.Stopwatch.StartNew();
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = model.Options.EffectiveDecodeParallelism,
            CancellationToken = cancellationToken,
        };
        Parallel.For(0, n, parallel, i =>
        {
            if (errors[i] is null)
            {
                errors[i] = Decode(bytes[i].Span, tensor.Slot(i));
                bytes[i] = default;
            }
        });
        InferenceMetrics.RecordDecode(decode.Elapsed, model.FileName);

        return new PreparedBatch(tensor, inputs, errors);
    }

    private static async Task ReadAsync(ImageInput input, int index, ReadOnlyMemory<byte>[] bytes, PredictionError?[] errors, CancellationToken cancellationToken)
    {
        try
        {
            bytes[index] = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ImageRejectedException e)
        {
            errors[index] = new PredictionError(e.Code, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            errors[index] = new PredictionError(PredictionErrorCodes.ReadFailed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private PredictionError? Decode(ReadOnlySpan<byte> encoded, Span<float> slot)
    {
        try
        {
            ImagePreprocessor.Preprocess(encoded, model.Manifest, model.Options, slot);
            return null;
        }
        catch (ImageRejectedException e)
        {
            return new PredictionError(e.Code, e.Message);
        }
        catch (Exception e)
        {
            return new PredictionError(PredictionErrorCodes.DecodeFailed, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
