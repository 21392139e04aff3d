using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;
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
/// groups of <see cref="RowGroupRows"/> rows to a local spool of one shard (a Parquet writer needs a
/// seekable stream), then uploaded; memory holds one row group.
/// </summary>
public sealed class ParquetPredictions : IAsyncDisposable
{
    /// <summary>Rows per row group.</summary>
    public const int RowGroupRows = 10_000;

    /// <summary>Writes rows with the columns of a job that stores <paramref name="outputs"/> and carries <paramref name="passthrough"/> (none: null).</summary>
    public ParquetPredictions(IReadOnlyList<string>? outputs = null, IReadOnlyList<string>? passthrough = null)
    {
        this.outputs = outputs ?? [];
        this.passthrough = passthrough ?? [];
        Schema = new ParquetSchema([
            .. Fixed(),
            .. this.outputs.Select(o => (Field)new ListField(o, new DataField<float>("element"))),
            .. this.passthrough.Select(c => (Field)new DataField<string>(c, true)),
        ]);
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

    private readonly IReadOnlyList<string> outputs;
    private readonly IReadOnlyList<string> passthrough;

    private readonly string path = Path.Combine(Path.GetTempPath(), $"predictions-{Guid.NewGuid():N}.parquet");
    private readonly List<IDictionary<string, object?>> group = new(RowGroupRows);
    private bool written;

    /// <summary>Adds a row; a full row group goes to the spool.</summary>
    public async Task AddAsync(PredictionRow row, CancellationToken cancellationToken)
    {
        group.Add(ToColumns(row));
        if (group.Count == RowGroupRows)
            await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds rows already in column form (read back from another Parquet file of this schema).</summary>
    public async Task AddAsync(IEnumerable<IDictionary<string, object?>> rows, CancellationToken cancellationToken)
    {
        foreach (var row in rows)
        {
            group.Add(row);
            if (group.Count == RowGroupRows)
                await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the last row group and uploads the file as <paramref name="name"/>; returns its size in bytes.</summary>
    public async Task<long> UploadAsync(IResultStore store, string name, CancellationToken cancellationToken)
    {
        if (group.Count > 0 || !written)
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        await store.WriteAsync(name, async (output, ct) =>
        {
            await using var file = File.OpenRead(path);
            await file.CopyToAsync(output, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return new FileInfo(path).Length;
    }

    /// <summary>
    /// Joins Parquet shards of this schema into one file: each shard is read whole (one shard, never
    /// the job, in memory) and appended as row groups.
    /// </summary>
    public static async Task JoinAsync(IResultStore store, string name, IReadOnlyList<string> shards, IReadOnlyList<string>? outputs, IReadOnlyList<string>? passthrough, CancellationToken cancellationToken)
    {
        await using var joined = new ParquetPredictions(outputs, passthrough);
        foreach (var shard in shards)
        {
            var bytes = await store.ReadAsync(shard, cancellationToken).ConfigureAwait(false);
            using var stream = new MemoryStream(bytes, writable: false);
            var data = await ParquetSerializer.DeserializeUntypedAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            await joined.AddAsync(data.Data.Select(r => (IDictionary<string, object?>)r.ToDictionary(p => p.Key, p => (object?)p.Value)), cancellationToken).ConfigureAwait(false);
        }
        await joined.UploadAsync(store, name, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        File.Delete(path);
        return ValueTask.CompletedTask;
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        await using (var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite))
            await ParquetSerializer.SerializeUntypedAsync(group, Schema, file, new ParquetOptions { Append = written }, cancellationToken: cancellationToken).ConfigureAwait(false);
        written = true;
        group.Clear();
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    // The untyped serializer takes a list of strings as nullable character memory.
    private Dictionary<string, object?> ToColumns(PredictionRow row)
    {
        LabelScore? best = row.Top.Count > 0 ? row.Top[0] : null;
        var columns = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["key"] = row.Key,
            ["etag"] = row.ETag,
            ["size"] = row.Size,
            ["last_modified"] = row.LastModified?.UtcDateTime,
            ["top_indices"] = row.Top.Select(t => t.Index).ToArray(),
            ["top_labels"] = row.Top.Select(t => (ReadOnlyMemory<char>?)t.Label.AsMemory()).ToArray(),
            ["top_scores"] = row.Top.Select(t => t.Score).ToArray(),
            ["label"] = best?.Label,
            ["score"] = best?.Score,
            ["error_code"] = row.ErrorCode,
            ["error_message"] = row.ErrorMessage,
            ["model_sha256"] = row.ModelSha256,
        };
        foreach (var output in outputs)
            columns[output] = row.Outputs?.GetValueOrDefault(output);
        foreach (var column in passthrough)
            columns[column] = row.Columns?.GetValueOrDefault(column) is { } value ? Text(value) : null;
        return columns;
    }
}
