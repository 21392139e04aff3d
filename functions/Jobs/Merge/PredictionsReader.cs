using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Parquet.Serialization;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Pages;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Merge;

/// <summary>
/// Reads a finished job's predictions back as rows, whatever it wrote: the shards its
/// <c>predictions/manifest.json</c> lists (one shard in memory at most, never the single file of a
/// large job), else the file its <c>summary.json</c> names; JSON Lines, CSV or Parquet. What a rerun
/// takes its failed images from, what <c>skipExisting</c> copies, what the merged view of a chain joins.
/// </summary>
public static class PredictionsReader
{
    /// <summary>The rows of the predictions under <paramref name="store"/>, in the order written.</summary>
    /// <exception cref="JobConfigurationException">The location holds no job's predictions, or a file of them is not readable as such.</exception>
    public static async IAsyncEnumerable<PredictionRow> ReadAsync(IResultStore store, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var csvHeader = new CsvHeader();
        foreach (var file in await FilesAsync(store, cancellationToken).ConfigureAwait(false))
        {
            var rows = file.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? ParquetAsync(store, file, cancellationToken)
                : LinesAsync(store, file, file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? csvHeader : null, cancellationToken);
            await foreach (var row in rows.ConfigureAwait(false))
                yield return row;
        }
    }

    /// <summary>The predictions files, in order: the shards of the manifest, else the summary's single file.</summary>
    public static async Task<IReadOnlyList<string>> FilesAsync(IResultStore store, CancellationToken cancellationToken)
    {
        try
        {
            if (await store.ExistsAsync(ResultsJoin.ManifestName, cancellationToken).ConfigureAwait(false))
            {
                using var manifest = JsonDocument.Parse(await store.ReadAsync(ResultsJoin.ManifestName, cancellationToken).ConfigureAwait(false));
                return manifest.RootElement.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToArray();
            }
            var summary = await new ResultWriter(store).ReadSummaryAsync(cancellationToken).ConfigureAwait(false);
            return [summary.Predictions];
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.ObjectNotFound or StorageErrorKind.ContainerNotFound)
        {
            throw new JobConfigurationException($"{store.Location} holds no job's predictions (no {ResultsJoin.ManifestName} or {ResultWriter.SummaryName})", e);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new JobConfigurationException($"{store.Location}/{ResultsJoin.ManifestName} is not a predictions manifest: {e.Message}", e);
        }
    }

    /// <summary>The CSV header of a job's predictions, read from its first shard (the only one that has it) and used for the others.</summary>
    private sealed class CsvHeader
    {
        public Dictionary<string, int>? Columns { get; set; }
    }

    private static async IAsyncEnumerable<PredictionRow> LinesAsync(IResultStore store, string file, CsvHeader? csvHeader, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var stream = await store.OpenReadAsync(file, ct).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var csv = csvHeader is not null;
        var columns = csvHeader?.Columns;
        var line = 0L;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } text)
        {
            line++;
            if (text.Length == 0)
                continue;
            // Only the first CSV shard carries the header; the others are read with the header they share.
            if (csv && columns is null)
            {
                var header = ManifestPages.CsvFields(text, file, line);
                var isHeader = header[0] == "key";
                columns = (isHeader ? header : PredictionCsv.Header.Split(',')).Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i, StringComparer.Ordinal);
                csvHeader!.Columns = columns;
                if (isHeader)
                    continue;
            }
            PredictionRow row;
            try
            {
                row = csv ? FromCsv(ManifestPages.CsvFields(text, file, line), columns!) : PredictionJson.Parse(text);
            }
            catch (FormatException e)
            {
                throw new JobConfigurationException($"{store.Location}/{file}, line {line}, is not a prediction row: {e.Message}", e);
            }
            yield return row;
        }
    }

    private static PredictionRow FromCsv(string[] fields, Dictionary<string, int> columns)
    {
        string? Field(string name) => columns.TryGetValue(name, out var i) && i < fields.Length && fields[i].Length > 0 ? fields[i] : null;
        var key = Field("key") ?? throw new FormatException("no key");
        var top = new List<LabelScore>();
        // top_k is label:score|label:score; only the top 1 keeps its index in CSV.
        foreach (var (entry, rank) in (Field("top_k") ?? "").Split('|', StringSplitOptions.RemoveEmptyEntries).Select((e, r) => (e, r)))
        {
            var colon = entry.LastIndexOf(':');
            var index = rank == 0 && int.TryParse(Field("index"), CultureInfo.InvariantCulture, out var i) ? i : -1;
            top.Add(new LabelScore(index, entry[..Math.Max(colon, 0)], colon < 0 ? 0 : float.Parse(entry[(colon + 1)..], CultureInfo.InvariantCulture)));
        }
        // Columns after the fixed ones are the manifest's passthrough columns.
        var extra = columns.Where(c => !PredictionCsv.FixedNames.Contains(c.Key) && Field(c.Key) is not null)
            .ToDictionary(c => c.Key, c => JsonSerializer.SerializeToElement(Field(c.Key)), StringComparer.Ordinal);
        return new PredictionRow(key, top, Field("error_code"), Field("error_message"))
        {
            ModelSha256 = Field("model_sha256"), ETag = Field("etag"), Columns = extra.Count > 0 ? extra : null,
        };
    }

    private static async IAsyncEnumerable<PredictionRow> ParquetAsync(IResultStore store, string file, [EnumeratorCancellation] CancellationToken ct)
    {
        using var stream = new MemoryStream(await store.ReadAsync(file, ct).ConfigureAwait(false), writable: false);
        await foreach (var row in ParquetRows.ReadAsync(stream, ct).ConfigureAwait(false))
            yield return row;
    }
}
