using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Serverless.Inference;

/// <summary>
/// Classifies images in fixed-shape batches with a loaded model: while batch k runs, batch k+1 is
/// read and decoded. Every input gets exactly one <see cref="Prediction"/>, in input order; a bad
/// image fails alone. Thread-safe; calls may run concurrently and share the model's session.
/// </summary>
public sealed class BatchClassifier : IDisposable
{
    private readonly LoadedModel model;
    private readonly BatchTensorPool pool;
    private readonly BatchPreparer preparer;
    private readonly BatchRunner runner;

    /// <summary>Creates a classifier.</summary>
    /// <param name="model">A model from <see cref="ModelCache"/>.</param>
    /// <param name="batchSize">Images per inference; a graph with a fixed batch dimension wins.</param>
    /// <param name="topK">Classes reported per image.</param>
    /// <param name="outputs">
    /// Graph outputs to return per image as float vectors (<see cref="Prediction.Outputs"/>); when
    /// they include the class output, predictions have no top-k (<see cref="ModelOutputs"/>).
    /// </param>
    /// <exception cref="ArgumentException">An output the model does not have, or one that is not a float tensor with the batch first.</exception>
    public BatchClassifier(LoadedModel model, int batchSize, int topK = 5, IReadOnlyList<string>? outputs = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        outputs ??= [];
        if (ModelOutputs.Problem(model, outputs) is { } problem)
            throw new ArgumentException(problem, nameof(outputs));
        Outputs = outputs.Distinct(StringComparer.Ordinal).ToArray();
        this.model = model;
        BatchSize = model.ResolveBatchSize(batchSize);
        TopK = topK;
        pool = new BatchTensorPool(model, BatchSize);
        ReadAhead = ByteBudget.For(model.Options.ReadAheadBytes);
        preparer = new BatchPreparer(model, ReadAhead);
        runner = new BatchRunner(model, topK, Outputs);
    }

    /// <summary>The named outputs each prediction carries.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>The process's budget of encoded bytes read ahead of their decode (<see cref="InferenceOptions.ReadAheadBytes"/>).</summary>
    public ByteBudget ReadAhead { get; }

    /// <summary>Images per inference run (the tensor's fixed batch dimension).</summary>
    public int BatchSize { get; }

    /// <summary>Classes reported per image.</summary>
    public int TopK { get; }

    /// <summary>The model.</summary>
    public LoadedModel Model => model;

    /// <summary>Batch tensors made so far (they are reused: a handful, whatever the number of images).</summary>
    public int TensorsCreated => pool.Created;

    /// <summary>Classifies <paramref name="images"/>; results are in input order.</summary>
    public async Task<IReadOnlyList<Prediction>> ClassifyAsync(IReadOnlyList<ImageInput> images, CancellationToken cancellationToken = default)
    {
        var results = new List<Prediction>(images.Count);
        await foreach (var prediction in ClassifyStreamAsync(AsAsync(images), cancellationToken).ConfigureAwait(false))
        {
            results.Add(prediction);
        }

        return results;
    }

    /// <summary>
    /// Classifies a stream of images, yielding predictions in input order as batches finish. At most
    /// three batches are in memory: one running, one decoded and waiting, one being decoded.
    /// </summary>
    public async IAsyncEnumerable<Prediction> ClassifyStreamAsync(IAsyncEnumerable<ImageInput> images, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        var channel = Channel.CreateBounded<PreparedBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => ProduceAsync(images, channel.Writer, stop.Token), CancellationToken.None);
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var batch))
                {
                    Prediction[] predictions;
                    try
                    {
                        predictions = await Task.Run(() => runner.Run(batch, cancellationToken), CancellationToken.None).ConfigureAwait(false);
                    }
                    finally
                    {
                        pool.Return(batch.Tensor);
                    }

                    foreach (var prediction in predictions)
                    {
                        yield return prediction;
                    }
                }
            }
        }
        finally
        {
            // Early exit (break, error, cancellation): stop the producer and take back its tensors.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            while (channel.Reader.TryRead(out var left))
            {
                pool.Return(left.Tensor);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => pool.Dispose();

    private async Task ProduceAsync(IAsyncEnumerable<ImageInput> images, ChannelWriter<PreparedBatch> writer, CancellationToken cancellationToken)
    {
        try
        {
            var chunk = new List<ImageInput>(BatchSize);
            await foreach (var image in images.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                chunk.Add(image);
                if (chunk.Count == BatchSize)
                {
                    await PrepareAndSendAsync(chunk, writer, cancellationToken).ConfigureAwait(false);
                    chunk = new List<ImageInput>(BatchSize);
                }
            }

            if (chunk.Count > 0)
            {
                await PrepareAndSendAsync(chunk, writer, cancellationToken).ConfigureAwait(false);
            }

            writer.TryComplete();
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
        }
    }

    private async Task PrepareAndSendAsync(List<ImageInput> chunk, ChannelWriter<PreparedBatch> writer, CancellationToken cancellationToken)
    {
        var tensor = pool.Rent();
        try
        {
            var batch = await preparer.PrepareAsync(tensor, chunk, cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            pool.Return(tensor);
            throw;
        }
    }

    private static async IAsyncEnumerable<ImageInput> AsAsync(IReadOnlyList<ImageInput> images)
    {
        foreach (var image in images)
        {
            yield return image;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
