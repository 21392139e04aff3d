using Parquet;
using Parquet.Schema;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Merge;

/// <summary>
/// One row group of <see cref="ParquetPredictions"/> held column by column and written with Parquet.Net's
/// column writer: no row is turned into a dictionary and back, which cost the untyped serializer twice
/// the time of the whole JSON Lines merge. Every column is its present values with their definition
/// levels (and a list's repetition levels): a null value has level 0, an empty list (a failed image's
/// top-k) level 1 and no value, a null list (a failed image's vector) level 0. Strings are written as
/// Parquet.Net holds them, character memory.
/// </summary>
internal sealed class ParquetRowGroup
{
    private readonly IReadOnlyList<string> outputs;
    private readonly IReadOnlyList<string> passthrough;
    private readonly OptionalColumn<ReadOnlyMemory<char>> keys = new(), etags = new(), labels = new(), codes = new(), messages = new(), hashes = new();
    private readonly OptionalColumn<long> sizes = new();
    private readonly OptionalColumn<DateTime> modified = new();
    private readonly OptionalColumn<float> bestScores = new();
    private readonly ListColumn<int> indices = new();
    private readonly ListColumn<ReadOnlyMemory<char>> topLabels = new();
    private readonly ListColumn<float> scores = new();
    private readonly ListColumn<float>[] vectors;
    private readonly OptionalColumn<ReadOnlyMemory<char>>[] carried;

    // In the order of ParquetPredictions' schema: the fixed columns, the named outputs, the passthrough columns.
    private readonly IColumn[] columns;

    public ParquetRowGroup(IReadOnlyList<string> outputs, IReadOnlyList<string> passthrough)
    {
        this.outputs = outputs;
        this.passthrough = passthrough;
        vectors = outputs.Select(_ => new ListColumn<float>()).ToArray();
        carried = passthrough.Select(_ => new OptionalColumn<ReadOnlyMemory<char>>()).ToArray();
        columns = [keys, etags, sizes, modified, indices, topLabels, scores, labels, bestScores, codes, messages, hashes, .. vectors, .. carried];
    }

    /// <summary>Rows held.</summary>
    public int Count { get; private set; }

    /// <summary>Holds one row.</summary>
    public void Add(PredictionRow row)
    {
        keys.Add(row.Key.AsMemory());
        etags.Add(row.ETag?.AsMemory());
        sizes.Add(row.Size);
        modified.Add(row.LastModified?.UtcDateTime);
        indices.Add(row.Top, static t => t.Index);
        topLabels.Add(row.Top, static t => t.Label.AsMemory());
        scores.Add(row.Top, static t => t.Score);
        labels.Add(row.Top.Count > 0 ? row.Top[0].Label.AsMemory() : (ReadOnlyMemory<char>?)null);
        bestScores.Add(row.Top.Count > 0 ? row.Top[0].Score : null);
        codes.Add(row.ErrorCode?.AsMemory());
        messages.Add(row.ErrorMessage?.AsMemory());
        hashes.Add(row.ModelSha256?.AsMemory());
        for (var o = 0; o < outputs.Count; o++)
            vectors[o].Add(row.Outputs?.GetValueOrDefault(outputs[o]));
        for (var c = 0; c < passthrough.Count; c++)
            carried[c].Add(row.Columns?.GetValueOrDefault(passthrough[c]) is { } value ? ColumnText.Of(value)?.AsMemory() : null);
        Count++;
    }

    /// <summary>Writes the rows held as a row group of <paramref name="writer"/> (its schema's columns in order), then forgets them.</summary>
    public async Task WriteAsync(ParquetWriter writer, ParquetSchema schema, CancellationToken cancellationToken)
    {
        var fields = schema.GetDataFields();
        using (var group = writer.CreateRowGroup())
        {
            for (var i = 0; i < columns.Length; i++)
                await columns[i].WriteAsync(group, fields[i], cancellationToken).ConfigureAwait(false);
        }
        foreach (var column in columns)
            column.Clear();
        Count = 0;
    }

    private interface IColumn
    {
        Task WriteAsync(ParquetRowGroupWriter group, DataField field, CancellationToken cancellationToken);

        void Clear();
    }

    /// <summary>An optional column: the present values, and a definition level each row (0: null).</summary>
    private sealed class OptionalColumn<T> : IColumn
        where T : struct
    {
        private readonly List<T> values = [];
        private readonly List<int> definitions = [];

        public void Add(T? value)
        {
            definitions.Add(value is null ? 0 : 1);
            if (value is { } present)
                values.Add(present);
        }

        public Task WriteAsync(ParquetRowGroupWriter group, DataField field, CancellationToken cancellationToken) =>
            group.WriteAllPartsAsync<T>(field, values.ToArray(), definitions.ToArray(), null, cancellationToken);

        public void Clear()
        {
            values.Clear();
            definitions.Clear();
        }
    }

    /// <summary>A list&lt;T&gt; column (an optional list): its values and their definition and repetition levels (a value's is the field's highest).</summary>
    private sealed class ListColumn<T> : IColumn
        where T : struct
    {
        private const int Present = -1;
        private readonly List<T> values = [];
        private readonly List<int> definitions = [];
        private readonly List<int> repetitions = [];

        /// <summary>Adds a row's list: null is a null list, empty an empty one.</summary>
        public void Add(T[]? list) => Add(list, static v => v);

        /// <summary>Adds a row's list of what <paramref name="select"/> takes from each item (no array made per row).</summary>
        public void Add<TItem>(IReadOnlyList<TItem>? list, Func<TItem, T> select)
        {
            if (list is null || list.Count == 0)
            {
                definitions.Add(list is null ? 0 : 1);
                repetitions.Add(0);
                return;
            }
            for (var i = 0; i < list.Count; i++)
            {
                values.Add(select(list[i]));
                definitions.Add(Present);
                repetitions.Add(i == 0 ? 0 : 1);
            }
        }

        public Task WriteAsync(ParquetRowGroupWriter group, DataField field, CancellationToken cancellationToken) =>
            group.WriteAllPartsAsync<T>(field, values.ToArray(), definitions.Select(d => d == Present ? field.MaxDefinitionLevel : d).ToArray(), repetitions.ToArray(), cancellationToken);

        public void Clear()
        {
            values.Clear();
            definitions.Clear();
            repetitions.Clear();
        }
    }
}
