namespace Serverless.Inference;

/// <summary>
/// Reads and decodes one batch of images into a tensor; a bad image only fails its slot. Each image
/// is read, then decoded as soon as it is read (at most the decode parallelism at once), and its
/// encoded bytes are held under the process's <see cref="ByteBudget"/> from before the read (its
/// size when known) until its decode ends, so large images slow the reads down rather than pile up.
/// </summary>
internal sealed class BatchPreparer(LoadedModel model, ByteBudget budget)
{
    public async Task<PreparedBatch> PrepareAsync(BatchTensor tensor, IReadOnlyList<ImageInput> inputs, CancellationToken cancellationToken)
    {
        var n = inputs.Count;
        var errors = new PredictionError?[n];
        var decode = new SemaphoreSlim(model.Options.EffectiveDecodeParallelism);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var decodeTicks = 0L;
        try
        {
            var work = new Task[n];
            for (var i = 0; i < n; i++)
            {
                var index = i;
                work[i] = Task.Run(async () =>
                {
                    using var held = await budget.AcquireAsync(inputs[index].Size ?? 0, cancellationToken).ConfigureAwait(false);
                    var bytes = await ReadAsync(inputs[index], index, errors, cancellationToken).ConfigureAwait(false);
                    // A size not known before the read is counted once read (a lease the budget cannot refuse to wait for).
                    using var extra = bytes.Length > held.Bytes
                        ? await budget.AcquireAsync(bytes.Length - held.Bytes, cancellationToken).ConfigureAwait(false)
                        : null;
                    if (errors[index] is not null)
                        return;
                    await decode.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        var started = System.Diagnostics.Stopwatch.GetTimestamp();
                        errors[index] = Decode(bytes.Span, tensor.Slot(index));
                        Interlocked.Add(ref decodeTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
                    }
                    finally
                    {
                        decode.Release();
                    }
                }, cancellationToken);
            }
            await Task.WhenAll(work).ConfigureAwait(false);
        }
        finally
        {
            decode.Dispose();
        }
        // The decode's share of the batch's wall time: its summed durations over the decodes run at once.
        var decodeSeconds = decodeTicks / (double)System.Diagnostics.Stopwatch.Frequency / Math.Max(1, Math.Min(n, model.Options.EffectiveDecodeParallelism));
        InferenceMetrics.RecordDecode(TimeSpan.FromSeconds(Math.Min(clock.Elapsed.TotalSeconds, decodeSeconds)), model.FileName);

        return new PreparedBatch(tensor, inputs, errors);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadAsync(ImageInput input, int index, PredictionError?[] errors, CancellationToken cancellationToken)
    {
        try
        {
            return await input.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ImageRejectedException e)
        {
            errors[index] = new PredictionError(e.Code, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            errors[index] = new PredictionError(PredictionErrorCodes.ReadFailed, $"{e.GetType().Name}: {e.Message}");
        }
        return default;
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
