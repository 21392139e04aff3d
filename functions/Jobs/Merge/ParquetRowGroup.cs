using Parquet;
using Parquet.Schema;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Merge;

/// <summary>
/// One row group of <see cref="ParquetPredictions"/> held column by column and written with Parquet.Net's
/// column writer: no row is turned into a dictionary and back, which cost the untyped serializer twice
/// the time of the whole JSON Lines merge. A list column is its values with their levels: an empty
/// list (a failed image's top-k) has definition level 1 and no value, a null one (a failed image's
/// vector) level 0. Strings are written as Parquet.Net holds them, character memory.
/// </summary>
internal sealed class ParquetRowGroup(IReadOnlyList<string> outputs, IReadOnlyList<string> passthrough)
{
    private readonly StringColumn keys = new();
    private readonly StringColumn etags = new();
    private readonly List<long?> sizes = [];
    private readonly List<DateTime?> modified = [];
    private readonly ListColumn<int> indices = new();
    private readonly ListColumn<ReadOnlyMemory<char>> topLabels = new();
    private readonly ListColumn<float> scores = new();
    private readonly StringColumn labels = new();
    private readonly List<float?> bestScores = [];
    private readonly StringColumn codes = new();
    private readonly StringColumn messages = new();
    private readonly StringColumn hashes = new();
    private readonly ListColumn<float>[] vectors = outputs.Select(_ => new ListColumn<float>()).ToArray();
    private readonly StringColumn[] carried = passthrough.Select(_ => new StringColumn()).ToArray();

    /// <summary>Rows held.</summary>
    public int Count => sizes.Count;

    /// <summary>Holds one row.</summary>
    public void Add(PredictionRow row)
    {
        keys.Add(row.Key);
        etags.Add(row.ETag);
        sizes.Add(row.Size);
        modified.Add(row.LastModified?.UtcDateTime);
        indices.Add(row.Top.Select(t => t.Index).ToArray());
        scores.Add(row.Top.Select(t => t.Score).ToArray());
        topLabels.Add(row.Top.Select(t => t.Label.AsMemory()).ToArray());
        labels.Add(row.Top.Count > 0 ? row.Top[0].Label : null);
        bestScores.Add(row.Top.Count > 0 ? row.Top[0].Score : null);
        codes.Add(row.ErrorCode);
        messages.Add(row.ErrorMessage);
        hashes.Add(row.ModelSha256);
        for (var o = 0; o < outputs.Count; o++)
            vectors[o].Add(row.Outputs?.GetValueOrDefault(outputs[o]));
        for (var c = 0; c < passthrough.Count; c++)
            carried[c].Add(row.Columns?.GetValueOrDefault(passthrough[c]) is { } value ? ParquetPredictions.Text(value) : null);
    }

    /// <summary>Writes the rows held as a row group of <paramref name="writer"/> (its schema's columns in order), then forgets them.</summary>
    public async Task WriteAsync(ParquetWriter writer, ParquetSchema schema, CancellationToken cancellationToken)
    {
        var fields = schema.GetDataFields();
        using (var group = writer.CreateRowGroup())
        {
            var f = 0;
            await keys.WriteAsync(group, fields[f++], cancellationToken).ConfigureAwait(false);
            await etags.WriteAsync(group, fields[f++], cancellationToken).ConfigureAwait(false);
            await group.WriteAsync<long>(fields[f++], sizes.ToArray(), null, null, cancellationToken).ConfigureAwait(false);
            await group.WriteAsync<DateTime>(fields[f++], modified.ToArray(), null, null, cancellationToken).ConfigureAwait(false);
            await indices.WriteAsync(group, fields[f++], cancellationToken).ConfigureAwait(false);
            await topLabels.WriteAsync(group, fields[f++], cancellationToken).ConfigureAwait(false);
            await scores.WriteAsync(group, fields[f++], cancellationToken).ConfigureAwait(false);
            await labels.WriteAsync(group, fields[f++], cancellationToken).ConfigureAwait(false);
            await group.WriteAsync<float>(fields[f++], bestScores.ToArray(), null, null, cancellationToken).ConfigureAwait(false);
            await codes.WriteAsync(group, fields[f++], cancellationToken).ConfigureAwait(false);
            await messages.WriteAsync(group, fields[f++], cancellationToken).ConfigureAwait(false);
            await hashes.WriteAsync(group, fields[f++], cancellationToken).ConfigureAwait(false);
            foreach (var vector in vectors)
                await vector.WriteAsync(group, fields[f++], cancellationToken).ConfigureAwait(false);
            foreach (var column in carried)
                await column.WriteAsync(group, fields[f++], cancellationToken).ConfigureAwait(false);
        }
        Clear();
    }

    private void Clear()
    {
        foreach (var column in new[] { keys, etags, labels, codes, messages, hashes })
            column.Clear();
        sizes.Clear();
        modified.Clear();
        bestScores.Clear();
        indices.Clear();
        topLabels.Clear();
        scores.Clear();
        foreach (var vector in vectors)
            vector.Clear();
        foreach (var column in carried)
            column.Clear();
    }

    /// <summary>An optional string column: the present values, and a definition level each row (0: null).</summary>
    private sealed class StringColumn
    {
        private readonly List<ReadOnlyMemory<char>> values = [];
        private readonly List<int> definitions = [];

        public void Add(string? value)
        {
            definitions.Add(value is null ? 0 : 1);
            if (value is not null)
                values.Add(value.AsMemory());
        }

        public Task WriteAsync(ParquetRowGroupWriter group, DataField field, CancellationToken cancellationToken) =>
            group.WriteAllPartsAsync<ReadOnlyMemory<char>>(field, values.ToArray(), definitions.ToArray(), null, cancellationToken);

        public void Clear()
        {
            values.Clear();
            definitions.Clear();
        }
    }

    /// <summary>A list&lt;T&gt; column (an optional list): its values and their definition and repetition levels (a value's is the field's highest).</summary>
    private sealed class ListColumn<T>
        where T : struct
    {
        private const int Present = -1;
        private readonly List<T> values = [];
        private readonly List<int> definitions = [];
        private readonly List<int> repetitions = [];

        /// <summary>Adds a row's list: null is a null list, empty an empty one.</summary>
        public void Add(T[]? list)
        {
            if (list is null || list.Length == 0)
            {
                definitions.Add(list is null ? 0 : 1);
                repetitions.Add(0);
                return;
            }
            for (var i = 0; i < list.Length; i++)
            {
                values.Add(list[i]);
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
