using System.Text.Json;

namespace Serverless.Storage.Results;

/// <summary>
/// A job's result files in a result store: writes a part of rows as JSON Lines under the name the
/// orchestrator chose (a rerun overwrites it, never adds one), reads summary.json back, and reads
/// the sample rows (samples.json once merged, else the first parts of a running job). The merge
/// itself is the job's (Serverless.Jobs.Merge): it reads exactly the parts the job recorded.
/// </summary>
public sealed class ResultWriter
{
    /// <summary>Name of the summary file.</summary>
    public const string SummaryName = "summary.json";

    /// <summary>Name of the file of sample rows (<see cref="ResultSamples"/>).</summary>
    public const string SamplesName = ResultSamples.FileName;

    private static readonly JsonSerializerOptions SummaryOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Creates a writer over <paramref name="store"/>.</summary>
    public ResultWriter(IResultStore store) => Store = store;

    /// <summary>The store written to.</summary>
    public IResultStore Store { get; }

    /// <summary>The merged file's name for a format.</summary>
    public static string PredictionsName(PredictionFormat format) =>
        format == PredictionFormat.Csv ? "predictions.csv" : "predictions.jsonl";

    /// <summary>Writes (or overwrites) <paramref name="name"/> with <paramref name="rows"/> as JSON Lines: a job's part, whatever its folder.</summary>
    public async Task WriteRowsAsync(string name, IReadOnlyCollection<PredictionRow> rows, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await PredictionJson.WriteAsync(buffer, rows, cancellationToken).ConfigureAwait(false);
        await Store.WriteAsync(name, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads <c>summary.json</c> back.</summary>
    public async Task<JobSummary> ReadSummaryAsync(CancellationToken cancellationToken = default)
    {
        var bytes = await Store.ReadAsync(SummaryName, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<JobSummary>(bytes, SummaryOptions)
            ?? throw new FormatException($"{SummaryName} is empty.");
    }

    /// <summary>A part's rows; null for an object under the parts folder that is not a part it reads.</summary>
    public delegate Task<IReadOnlyList<PredictionRow>?> PartReader(string name, byte[] bytes, CancellationToken cancellationToken);

    /// <summary>
    /// The job's sample rows: <c>samples.json</c> once the job is merged; before that, a sample of
    /// its first <paramref name="maxParts"/> parts under <paramref name="partsFolder"/>, so a running job shows some too.
    /// <paramref name="read"/> reads a part (by default its JSON Lines: a job's other formats of part are the jobs layer's).
    /// </summary>
    public async Task<ResultSamples> ReadSamplesAsync(string partsFolder, int maxParts = 4, PartReader? read = null, CancellationToken cancellationToken = default)
    {
        if (await Store.ExistsAsync(SamplesName, cancellationToken).ConfigureAwait(false))
            return ResultSamples.Parse(await Store.ReadAsync(SamplesName, cancellationToken).ConfigureAwait(false));
        read ??= JsonLinesAsync;
        var sampler = new ResultSampler();
        var parts = 0;
        await foreach (var name in Store.ListAsync(partsFolder, cancellationToken).ConfigureAwait(false))
        {
            if (await read(name, await Store.ReadAsync(name, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false) is not { } rows)
                continue;
            foreach (var row in rows)
                sampler.Add(row);
            if (++parts == maxParts)
                break;
        }
        return sampler.ToSamples();
    }

    private static Task<IReadOnlyList<PredictionRow>?> JsonLinesAsync(string name, byte[] bytes, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PredictionRow>?>(name.EndsWith(".jsonl", StringComparison.Ordinal)
            ? PredictionJson.Lines(bytes).Select(line => PredictionJson.Parse(line.Span, null)).ToList()
            : null);
}
