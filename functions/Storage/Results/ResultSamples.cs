using System.Text.Json;

namespace Serverless.Storage.Results;

/// <summary>
/// A few dozen of a job's rows, classified and failed, for the dashboard's thumbnail grid and the
/// report: <c>samples.json</c> beside the summary. Rows keep their top-1 class only.
/// </summary>
public sealed record ResultSamples(IReadOnlyList<PredictionRow> Classified, IReadOnlyList<PredictionRow> Failed)
{
    /// <summary>The file's name in the job's output.</summary>
    public const string FileName = "samples.json";

    /// <summary>No rows.</summary>
    public static ResultSamples Empty { get; } = new([], []);

    /// <summary>Whether <paramref name="key"/> is one of the sampled rows.</summary>
    public bool Contains(string key) => Classified.Any(r => r.Key == key) || Failed.Any(r => r.Key == key);

    /// <summary>The JSON of <c>samples.json</c>.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, PredictionJson.Options);

    /// <summary>Reads <c>samples.json</c>; throws <see cref="FormatException"/> when it is not one.</summary>
    public static ResultSamples Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var samples = JsonSerializer.Deserialize<ResultSamples>(json, PredictionJson.Options);
            return samples is { Classified: not null, Failed: not null } ? samples : throw new FormatException($"{FileName} has no rows.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{FileName} is not valid: {e.Message}", e);
        }
    }
}

/// <summary>
/// Picks <see cref="ResultSamples"/> from a stream of rows: of the classified and of the failed rows,
/// those whose key hashes are the smallest (a bottom-k sketch). That is a uniform sample of the
/// whole job, the same whatever order the rows come in, in memory bounded by the sample size.
/// </summary>
public sealed class ResultSampler(int classified = ResultSampler.DefaultClassified, int failed = ResultSampler.DefaultFailed)
{
    public const int DefaultClassified = 36;
    public const int DefaultFailed = 24;
    private const int MaxMessageLength = 300;

    // Max-heaps on the hash: the root is the first to leave when a smaller hash comes.
    private readonly PriorityQueue<PredictionRow, ulong> classifiedRows = new(Comparer<ulong>.Create((a, b) => b.CompareTo(a)));
    private readonly PriorityQueue<PredictionRow, ulong> failedRows = new(Comparer<ulong>.Create((a, b) => b.CompareTo(a)));
    private readonly HashSet<ulong> seen = [];

    /// <summary>
    /// Whether a row of key hash <paramref name="hash"/> offered now would enter the sample: a merge builds
    /// the rows it copies only for those (a few dozen in a job), and counts the others from their lines.
    /// </summary>
    public bool Wants(ulong hash, bool isFailed)
    {
        var (heap, size) = isFailed ? (failedRows, failed) : (classifiedRows, classified);
        return size > 0 && !(heap.Count == size && heap.TryPeek(out _, out var largest) && hash >= largest) && !seen.Contains(hash);
    }

    /// <summary>Offers a row (a key offered twice counts once).</summary>
    public void Add(PredictionRow row)
    {
        var hash = KeyHash.Of(row.Key);
        if (!Wants(hash, row.Failed))
            return;
        seen.Add(hash);
        var (heap, size) = row.Failed ? (failedRows, failed) : (classifiedRows, classified);
        heap.Enqueue(Trim(row), hash);
        if (heap.Count > size)
        {
            heap.TryDequeue(out _, out var dropped);
            seen.Remove(dropped);
        }
    }

    /// <summary>The sample, in key order.</summary>
    public ResultSamples ToSamples() => new(Sorted(classifiedRows), Sorted(failedRows));

    private static PredictionRow[] Sorted(PriorityQueue<PredictionRow, ulong> heap) =>
        heap.UnorderedItems.Select(i => i.Element).OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();

    private static PredictionRow Trim(PredictionRow row) => row with
    {
        Top = row.Top.Count > 1 ? [row.Top[0]] : row.Top,
        ErrorMessage = row.ErrorMessage is { Length: > MaxMessageLength } m ? m[..MaxMessageLength] + "..." : row.ErrorMessage,
    };
}
