using System.Runtime.CompilerServices;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Merge;

/// <summary>
/// Reads predictions written by <see cref="ParquetPredictions"/> back as rows, a row group at a time and
/// column by column with Parquet.Net's raw column reader (no dictionary per row: the untyped
/// deserializer cost more than parsing the same rows from JSON). Beyond the fixed columns, a list column
/// is a named output's vector and any other a manifest's passthrough column, as the writer made them.
/// </summary>
public static class ParquetRows
{
    /// <summary>The rows of the Parquet file in <paramref name="stream"/> (seekable), in order.</summary>
    public static async IAsyncEnumerable<PredictionRow> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields();
        var pool = new StringPool();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            Columns columns;
            using (var group = reader.OpenRowGroupReader(g))
                columns = await Columns.ReadAsync(group, fields, pool, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < columns.Rows; i++)
                yield return columns.Row(i);
        }
    }

    /// <summary>One row group's columns, each spread to one entry per row.</summary>
    private sealed class Columns
    {
        private readonly Dictionary<string, string?[]> strings = new(StringComparer.Ordinal);
        private readonly Dictionary<string, float[]?[]> vectors = new(StringComparer.Ordinal);
        private string?[] keys = [], etags = [], codes = [], messages = [], hashes = [];
        private long?[] sizes = [];
        private DateTime?[] modified = [];
        private int[]?[] indices = [];
        private string[]?[] labels = [];
        private float[]?[] scores = [];

        public int Rows { get; private init; }

        public static async Task<Columns> ReadAsync(ParquetRowGroupReader group, IReadOnlyList<DataField> fields, StringPool pool, CancellationToken ct)
        {
            var rows = checked((int)group.RowCount);
            var columns = new Columns { Rows = rows };
            foreach (var field in fields)
            {
                var name = field.Path.FirstPart ?? field.Name;
                switch (name)
                {
                    case "key": columns.keys = await TextAsync(group, field, rows, ct).ConfigureAwait(false); break;
                    case "etag": columns.etags = await TextAsync(group, field, rows, ct).ConfigureAwait(false); break;
                    case "error_code": columns.codes = await TextAsync(group, field, rows, ct, pool).ConfigureAwait(false); break;
                    case "error_message": columns.messages = await TextAsync(group, field, rows, ct, pool).ConfigureAwait(false); break;
                    case "model_sha256": columns.hashes = await TextAsync(group, field, rows, ct, pool).ConfigureAwait(false); break;
                    case "size": columns.sizes = await ScalarsAsync<long>(group, field, rows, ct).ConfigureAwait(false); break;
                    case "last_modified": columns.modified = await ScalarsAsync<DateTime>(group, field, rows, ct).ConfigureAwait(false); break;
                    case "top_indices": columns.indices = await ListsAsync<int>(group, field, rows, ct).ConfigureAwait(false); break;
                    case "top_scores": columns.scores = await ListsAsync<float>(group, field, rows, ct).ConfigureAwait(false); break;
                    case "top_labels":
                        columns.labels = (await ListsAsync<ReadOnlyMemory<char>>(group, field, rows, ct).ConfigureAwait(false))
                            .Select(list => list?.Select(pool.Of).ToArray()).ToArray();
                        break;
                    case "label" or "score": break; // the top 1, read from the top-k
                    default:
                        if (field.MaxRepetitionLevel > 0)
                            columns.vectors[name] = await ListsAsync<float>(group, field, rows, ct).ConfigureAwait(false);
                        else
                            columns.strings[name] = await TextAsync(group, field, rows, ct).ConfigureAwait(false);
                        break;
                }
            }
            return columns;
        }

        public PredictionRow Row(int i)
        {
            var (ix, ls, ss) = (At(indices, i) ?? [], At(labels, i) ?? [], At(scores, i) ?? []);
            var top = new LabelScore[Math.Min(ix.Length, Math.Min(ls.Length, ss.Length))];
            for (var t = 0; t < top.Length; t++)
                top[t] = new LabelScore(ix[t], ls[t], ss[t]);
            Dictionary<string, float[]>? outputs = null;
            foreach (var (name, column) in vectors)
                if (column[i] is { } vector)
                    (outputs ??= new(StringComparer.Ordinal))[name] = vector;
            Dictionary<string, JsonElement>? carried = null;
            foreach (var (name, column) in strings)
                if (column[i] is { } text)
                    (carried ??= new(StringComparer.Ordinal))[name] = JsonSerializer.SerializeToElement(text);
            return new PredictionRow(At(keys, i) ?? "", top, At(codes, i), At(messages, i))
            {
                ETag = At(etags, i),
                ModelSha256 = At(hashes, i),
                Size = At(sizes, i),
                LastModified = At(modified, i) is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : null,
                Outputs = outputs,
                Columns = carried,
            };
        }

        // A column the file lacks reads as null on every row.
        private static T? At<T>(T?[] column, int i) => i < column.Length ? column[i] : default;
    }

    /// <summary>A string column; with <paramref name="pool"/>, a value repeated down the column is one string.</summary>
    private static async Task<string?[]> TextAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken ct, StringPool? pool = null) =>
        (await ScalarsAsync<ReadOnlyMemory<char>>(group, field, rows, ct).ConfigureAwait(false))
            .Select(v => v is { } text ? pool?.Of(text) ?? text.ToString() : null).ToArray();

    /// <summary>
    /// One string for each distinct value of the columns that repeat few (the labels, the model's hash, error codes):
    /// a shard of 20,000 rows otherwise made about 140,000 strings of a few dozen values.
    /// </summary>
    private sealed class StringPool
    {
        private const int MaxStrings = 4096;
        private readonly Dictionary<string, string> strings = new(StringComparer.Ordinal);

        public string Of(ReadOnlyMemory<char> value)
        {
            if (strings.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(value.Span, out var known))
                return known;
            var made = value.ToString();
            if (strings.Count < MaxStrings)
                strings[made] = made;
            return made;
        }
    }

    /// <summary>A column of one value or null a row: the values present, placed by their definition levels.</summary>
    private static async Task<T?[]> ScalarsAsync<T>(ParquetRowGroupReader group, DataField field, int rows, CancellationToken ct)
        where T : struct
    {
        var (values, levels, _) = await RawAsync<T>(group, field, ct).ConfigureAwait(false);
        var result = new T?[rows];
        var v = 0;
        for (var r = 0; r < rows; r++)
            if (levels is null || levels[r] == field.MaxDefinitionLevel)
                result[r] = values[v++];
        return result;
    }

    /// <summary>A list column: a row starts at repetition level 0; level 0 there is a null list, a lower definition level an empty one.</summary>
    private static async Task<T[]?[]> ListsAsync<T>(ParquetRowGroupReader group, DataField field, int rows, CancellationToken ct)
        where T : struct
    {
        var (values, definitions, repetitions) = await RawAsync<T>(group, field, ct).ConfigureAwait(false);
        if (definitions is null || repetitions is null)
            throw new FormatException($"Parquet column {field.Path} is not a list.");
        var result = new T[]?[rows];
        var row = -1;
        var nullList = false;
        var v = 0;
        var items = new List<T>();
        for (var i = 0; i < definitions.Length; i++)
        {
            if (repetitions[i] == 0)
            {
                if (row >= 0 && !nullList)
                    result[row] = [.. items];
                row++;
                items.Clear();
                nullList = definitions[i] == 0;
            }
            if (definitions[i] == field.MaxDefinitionLevel)
                items.Add(values[v++]);
        }
        if (row >= 0 && !nullList)
            result[row] = [.. items];
        return result;
    }

    /// <summary>A column's present values and its definition and repetition levels (null where the field has none).</summary>
    private static async Task<(T[] Values, int[]? Definitions, int[]? Repetitions)> RawAsync<T>(ParquetRowGroupReader group, DataField field, CancellationToken ct)
        where T : struct
    {
        var count = checked((int)(group.GetMetadata(field)?.MetaData?.NumValues ?? 0));
        var values = new T[count];
        var definitions = field.MaxDefinitionLevel > 0 ? new int[count] : null;
        var repetitions = field.MaxRepetitionLevel > 0 ? new int[count] : null;
        await group.ReadRawAsync(field, values.AsMemory(), definitions?.AsMemory(), repetitions?.AsMemory(), ct).ConfigureAwait(false);
        return (values, definitions, repetitions);
    }
}
