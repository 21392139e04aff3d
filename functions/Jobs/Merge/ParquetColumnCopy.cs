using Parquet;
using Parquet.Schema;

namespace Serverless.Jobs.Merge;

/// <summary>
/// Copies a row group of one Parquet file into another of the same columns, column by column as
/// values and levels (<see cref="ParquetPredictions.JoinAsync"/>), never as rows. Strings are character
/// memory to Parquet.Net, so every column the predictions have is a value type to it.
/// </summary>
internal static class ParquetColumnCopy
{
    /// <summary>Writes the columns of <paramref name="source"/> as a new row group of <paramref name="writer"/>.</summary>
    public static async Task CopyAsync(ParquetRowGroupReader source, ParquetSchema sourceSchema, ParquetWriter writer, ParquetSchema targetSchema, CancellationToken cancellationToken)
    {
        var from = sourceSchema.GetDataFields();
        var to = targetSchema.GetDataFields();
        if (from.Length != to.Length)
            throw new InvalidOperationException($"a shard has {from.Length} columns where the predictions have {to.Length}");
        using var group = writer.CreateRowGroup();
        for (var i = 0; i < from.Length; i++)
        {
            var task = to[i].ClrType switch
            {
                var t when t == typeof(ReadOnlyMemory<char>) => CopyRawAsync<ReadOnlyMemory<char>>(source, from[i], group, to[i], cancellationToken),
                var t when t == typeof(int) => CopyRawAsync<int>(source, from[i], group, to[i], cancellationToken),
                var t when t == typeof(long) => CopyRawAsync<long>(source, from[i], group, to[i], cancellationToken),
                var t when t == typeof(float) => CopyRawAsync<float>(source, from[i], group, to[i], cancellationToken),
                var t when t == typeof(DateTime) => CopyRawAsync<DateTime>(source, from[i], group, to[i], cancellationToken),
                var t => throw new InvalidOperationException($"column {from[i].Path} of type {t} is not one predictions have"),
            };
            await task.ConfigureAwait(false);
        }
    }

    private static async Task CopyRawAsync<T>(ParquetRowGroupReader source, DataField from, ParquetRowGroupWriter group, DataField to, CancellationToken cancellationToken)
        where T : struct
    {
        using var data = (Parquet.Data.RawColumnData<T>)await source.ReadRawColumnDataBaseAsync(from, cancellationToken).ConfigureAwait(false);
        var definitions = from.MaxDefinitionLevel > 0 ? data.DefinitionLevels.ToArray() : null;
        // The reader's buffer may be longer than the values present (one a level); the writer takes exactly those,
        // and its statistics would count the rest.
        var present = definitions is null ? data.Values.Length : definitions.Count(d => d == from.MaxDefinitionLevel);
        var values = data.Values[..present].ToArray();
        var repetitions = from.MaxRepetitionLevel > 0 ? data.RepetitionLevels.ToArray() : null;
        await group.WriteAllPartsAsync<T>(to, values, definitions is null ? null : (ReadOnlyMemory<int>)definitions, repetitions is null ? null : (ReadOnlyMemory<int>)repetitions, cancellationToken).ConfigureAwait(false);
    }
}
