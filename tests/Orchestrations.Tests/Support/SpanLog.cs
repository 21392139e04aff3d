using System.Collections;
using System.Diagnostics;

namespace Serverless.Orchestrations.Tests.Support;

/// <summary>The spans an in-memory exporter receives, safe to read while the host's threads add to it.</summary>
public sealed class SpanLog : ICollection<Activity>
{
    private readonly List<Activity> spans = [];

    public int Count
    {
        get { lock (spans) return spans.Count; }
    }

    public bool IsReadOnly => false;

    /// <summary>A copy of the spans received so far.</summary>
    public IReadOnlyList<Activity> Snapshot()
    {
        lock (spans)
            return spans.ToArray();
    }

    public void Add(Activity item)
    {
        lock (spans)
            spans.Add(item);
    }

    public void Clear()
    {
        lock (spans)
            spans.Clear();
    }

    public bool Contains(Activity item)
    {
        lock (spans)
            return spans.Contains(item);
    }

    public void CopyTo(Activity[] array, int arrayIndex)
    {
        lock (spans)
            spans.CopyTo(array, arrayIndex);
    }

    public bool Remove(Activity item)
    {
        lock (spans)
            return spans.Remove(item);
    }

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
