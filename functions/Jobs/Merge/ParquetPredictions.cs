using Parquet;
using Parquet.Schema;
using Serverless.BatchInference.Contracts;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Merge;

/// <summary>
/// Predictions as Parquet (<c>format: parquet</c>): one row per image with the key, the listing's
/// ETag, size and last-modified time, the top-k as three list columns (indices, labels, scores),
/// the top-1 label and score, the error code and message, the model's SHA-256, and a list&lt;float&gt;
/// column per named output of the job (<c>outputs</c>), named after it (null for a failed image;
/// every vector of a column has the output's per-image length: Parquet has no fixed-size list, Arrow's
/// FixedSizeList is written as this list too), then a string column per passthrough column of the
/// job's manifest (<see cref="JobSpec.PassthroughColumns"/>, header names kept; a value that is not a
/// JSON string is stored as its JSON text). Written in row
/// groups of <see cref="RowGroupRows"/> rows (<see cref="ParquetRowGroup"/>, column by column) to a
/// local spool of one shard (a Parquet writer needs a seekable stream), then uploaded; memory holds one row group.
/// A work unit of a Parquet job writes its part in memory the same way (<see cref="ToBytesAsync"/>).
/// </summary>
public sealed class ParquetPredictions : IAsyncDisposable
{
    /// <summary>Rows per row group.</summary>
    public const int RowGroupRows = 10_000;

    /// <summary>Writes rows with the columns of a job that stores <paramref name="outputs"/> and carries <paramref name="passthrough"/> (none: null).</summary>
    public ParquetPredictions(IReadOnlyList<string>? outputs = null, IReadOnlyList<string>? passthrough = null)
    {
        outputs ??= [];
        passthrough ??= [];
        Schema = new ParquetSchema([
            .. Fixed(),
            .. outputs.Select(o => (Field)new ListField(o, new DataField<float>("element"))),
            .. passthrough.Select(c => (Field)new DataField<string>(c, true)),
        ]);
        group = new ParquetRowGroup(outputs, passthrough);
    }

    /// <summary>The names of the columns every file has: a passthrough column or a named output may not take one.</summary>
    public static IReadOnlySet<string> FixedNames { get; } = Fixed().Select(f => f.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The file's columns, in order: the fixed ones, one per named output, one per passthrough column.</summary>
    public ParquetSchema Schema { get; }

    // New fields for every schema: Parquet.Net sets a field's path and levels when a schema takes it, so
    // fields shared by the schemas of writers running at once (parallel merge shards) race.
    private static Field[] Fixed() =>
    [
        new DataField<string>("key"),
        new DataField<string>("etag", true),
        new DataField<long?>("size"),
        new DataField<DateTime?>("last_modified"),
        new ListField("top_indices", new DataField<int>("element")),
        new ListField("top_labels", new DataField<string>("element")),
        new ListField("top_scores", new DataField<float>("element")),
        new DataField<string>("label", true),
        new DataField<float?>("score"),
        new DataField<string>("error_code", true),
        new DataField<string>("error_message", true),
        new DataField<string>("model_sha256", true),
    ];

    private readonly string path = Path.Combine(Path.GetTempPath(), $"predictions-{Guid.NewGuid():N}.parquet");
    private readonly ParquetRowGroup group;
    private Stream? spool; // the local file, or the memory of ToBytesAsync
    private ParquetWriter? writer;

    /// <summary>A file of <paramref name="rows"/> (one row group) in memory: a work unit's part.</summary>
    public static async Task<byte[]> ToBytesAsync(IEnumerable<PredictionRow> rows, IReadOnlyList<string>? outputs, IReadOnlyList<string>? passthrough, CancellationToken cancellationToken)
    {
        var memory = new MemoryStream();
        await using (var file = new ParquetPredictions(outputs, passthrough) { spool = memory })
        {
            foreach (var row in rows)
                file.group.Add(row);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        return memory.ToArray();
    }

    /// <summary>Adds a row; a full row group goes to the spool.</summary>
    public async Task AddAsync(PredictionRow row, CancellationToken cancellationToken)
    {
        group.Add(row);
        if (group.Count == RowGroupRows)
            await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The footer of the file uploaded (<see cref="UploadAsync"/>), for a byte-wise join with others (<see cref="ParquetFooter"/>).</summary>
    public byte[]? Footer { get; private set; }

    /// <summary>Writes the last row group and uploads the file as <paramref name="name"/>; returns its size in bytes.</summary>
    public async Task<long> UploadAsync(IResultStore store, string name, CancellationToken cancellationToken)
    {
        if (group.Count > 0 || writer is null)
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        await CloseAsync().ConfigureAwait(false);
        Footer = Merge.ParquetFooter.OfFile(path);
        await store.WriteAsync(name, async (output, ct) =>
        {
            await using var file = File.OpenRead(path);
            await file.CopyToAsync(output, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return new FileInfo(path).Length;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        File.Delete(path);
    }

    private async Task FlushAsync(CancellationToken cancellationToken) =>
        await group.WriteAsync(await WriterAsync(cancellationToken).ConfigureAwait(false), Schema, cancellationToken).ConfigureAwait(false);

    private async Task<ParquetWriter> WriterAsync(CancellationToken cancellationToken)
    {
        spool ??= new FileStream(path, FileMode.Create, FileAccess.ReadWrite);
        return writer ??= await ParquetWriter.CreateAsync(Schema, spool, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    // The footer is written when the writer is disposed.
    private async Task CloseAsync()
    {
        if (writer is not null)
            await writer.DisposeAsync().ConfigureAwait(false);
        writer = null;
        if (spool is not null)
            await spool.DisposeAsync().ConfigureAwait(false);
        spool = null;
    }
}
