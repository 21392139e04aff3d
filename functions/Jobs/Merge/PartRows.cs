using Serverless.BatchInference.Contracts;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Merge;

/// <summary>
/// A job's result parts, told apart by their names (<see cref="PartNames.Written"/>): JSON Lines, each row
/// with its line (which a JSON Lines merge copies as it is), or Parquet, what a unit of a Parquet job
/// writes so that its merge reads columns instead of parsing JSON for every row.
/// </summary>
public static class PartRows
{
    /// <summary>Whether the part named <paramref name="name"/> is Parquet.</summary>
    public static bool IsParquet(string name) => name.EndsWith(".parquet", StringComparison.Ordinal);

    /// <summary>
    /// The rows of part <paramref name="name"/> held in <paramref name="bytes"/>, in order; a JSON Lines row comes
    /// with its line's bytes, a slice of <paramref name="bytes"/> (empty for Parquet): only a JSON Lines merge
    /// decodes them, to copy the line. <paramref name="outputs"/>: the fields of a JSON line that are named outputs.
    /// </summary>
    /// <exception cref="FormatException">A JSON line that is not a prediction row.</exception>
    public static async Task<List<(PredictionRow Row, ReadOnlyMemory<byte> Line)>> ReadAsync(string name, byte[] bytes, IReadOnlyCollection<string>? outputs, CancellationToken cancellationToken)
    {
        var rows = new List<(PredictionRow, ReadOnlyMemory<byte>)>();
        if (IsParquet(name))
        {
            using var stream = new MemoryStream(bytes, writable: false);
            await foreach (var row in ParquetRows.ReadAsync(stream, cancellationToken).ConfigureAwait(false))
                rows.Add((row, ReadOnlyMemory<byte>.Empty));
            return rows;
        }
        foreach (var line in PredictionJson.Lines(bytes))
            rows.Add((PredictionJson.Parse(line.Span, outputs), line));
        return rows;
    }

    /// <summary>A part's rows for the samples of a running job (<see cref="ResultWriter.ReadSamplesAsync"/>); null for an object that is no part.</summary>
    public static async Task<IReadOnlyList<PredictionRow>?> SamplesAsync(string name, byte[] bytes, CancellationToken cancellationToken) =>
        IsParquet(name) || name.EndsWith(".jsonl", StringComparison.Ordinal)
            ? (await ReadAsync(name, bytes, null, cancellationToken).ConfigureAwait(false)).Select(r => r.Row).ToList()
            : null;

    /// <summary>Writes (or overwrites) part <paramref name="name"/> of <paramref name="job"/>: Parquet with the job's columns for a Parquet name, else JSON Lines.</summary>
    public static async Task WriteAsync(IResultStore store, JobSpec job, string name, IReadOnlyCollection<PredictionRow> rows, CancellationToken cancellationToken)
    {
        var path = JobWorkArea.Part(job.JobId, name);
        if (!IsParquet(name))
        {
            await new ResultWriter(store).WriteRowsAsync(path, rows, cancellationToken).ConfigureAwait(false);
            return;
        }
        var bytes = await ParquetPredictions.ToBytesAsync(rows, job.Outputs, job.PassthroughColumns, cancellationToken).ConfigureAwait(false);
        await store.WriteAsync(path, bytes, cancellationToken).ConfigureAwait(false);
    }
}
