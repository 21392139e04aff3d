using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Serverless.TestSupport;

namespace Serverless.Orchestrations.Tests.AzureStorage;

/// <summary>
/// Counts the storage requests a backend sends, by kind ("queue.send", "table.batch", ...),
/// from a per-call pipeline policy: what a profile of the backend's cost per activity needs.
/// </summary>
internal sealed class StorageRequestCounter(AzuriteProcess azurite) : HttpPipelinePolicy
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _ticks = new(StringComparer.Ordinal);

    public int Total => _counts.Values.Sum();

    public IReadOnlyDictionary<string, int> Snapshot() => new SortedDictionary<string, int>(_counts, StringComparer.Ordinal);

    /// <summary>Mean wall milliseconds per request of each kind (queueing in the client included).</summary>
    public IReadOnlyDictionary<string, double> MeanMilliseconds() =>
        _counts.ToDictionary(c => c.Key, c => _ticks.GetValueOrDefault(c.Key) * 1000.0 / System.Diagnostics.Stopwatch.Frequency / c.Value);

    public void Reset()
    {
        _counts.Clear();
        _ticks.Clear();
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message.Request);
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var kind = Count(message.Request);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        _ticks.AddOrUpdate(kind, System.Diagnostics.Stopwatch.GetTimestamp() - start, (_, t) => t + System.Diagnostics.Stopwatch.GetTimestamp() - start);
    }

    private string Count(Request request)
    {
        var kind = KindOf(request);
        _counts.AddOrUpdate(kind, 1, (_, n) => n + 1);
        return kind;
    }

    private string KindOf(Request request)
    {
        var uri = request.Uri.ToUri();
        var path = uri.AbsolutePath;
        var method = request.Method.Method;
        if (uri.Port == azurite.QueuePort)
        {
            var queue = path.Contains("-control-", StringComparison.Ordinal) ? "control" : path.Contains("-workitems", StringComparison.Ordinal) ? "workitems" : "queue";
            if (path.EndsWith("/messages", StringComparison.Ordinal))
                return queue + (method == "POST" ? ".send" : uri.Query.Contains("peekonly", StringComparison.Ordinal) ? ".peek" : ".receive");
            if (path.Contains("/messages/", StringComparison.Ordinal))
                return queue + (method == "DELETE" ? ".delete" : ".update");
            return queue + "." + method.ToLowerInvariant();
        }
        if (uri.Port == azurite.TablePort)
        {
            if (path.EndsWith("$batch", StringComparison.Ordinal))
                return "table.batch";
            return method switch
            {
                "GET" => path.Contains("RowKey=", StringComparison.Ordinal) ? "table.get" : "table.query",
                "POST" => "table.insert",
                "DELETE" => "table.delete",
                _ => "table.upsert",
            };
        }
        return "blob." + method.ToLowerInvariant();
    }
}
