using System.Collections.Concurrent;

namespace Serverless.Drops;

/// <summary>
/// This process's memory of a location's versions, so a listing only touches the receipts of
/// versions it has not settled: settled ones are skipped, busy ones until their claim may expire.
/// Seeded from the persisted receipts at start (the watermark survives restarts). Bounded: a full
/// listing forgets the versions it no longer lists (deleted, moved, overwritten), and past
/// <see cref="MaxRemembered"/> the settled versions seen longest ago are forgotten. Forgetting only
/// costs a receipt read if such a version is listed again: its receipt still says it is settled.
/// </summary>
internal sealed class VersionTracker(int maxRemembered = VersionTracker.DefaultMaxRemembered) : IDropSettlement
{
    /// <summary>The most versions remembered per location by default (about 200 bytes each).</summary>
    public const int DefaultMaxRemembered = 200_000;

    private readonly ConcurrentDictionary<ObjectVersion, DateTimeOffset> notBefore = new();
    private readonly ConcurrentDictionary<ObjectVersion, byte> mine = new();
    private readonly ConcurrentQueue<ObjectVersion> settledOrder = new();
    private HashSet<ObjectVersion>? listing;

    /// <summary>The most versions remembered.</summary>
    public int MaxRemembered => maxRemembered;

    public int Settled => notBefore.Count(p => p.Value == DateTimeOffset.MaxValue);

    /// <summary>Versions remembered now (settled or deferred).</summary>
    public int Remembered => notBefore.Count;

    public bool ShouldLook(ObjectVersion version, DateTimeOffset now)
    {
        listing?.Add(version);
        return !mine.ContainsKey(version) && (!notBefore.TryGetValue(version, out var until) || until <= now);
    }

    public void Settle(ObjectVersion version)
    {
        if (notBefore.TryGetValue(version, out var until) && until == DateTimeOffset.MaxValue)
            return;
        notBefore[version] = DateTimeOffset.MaxValue;
        mine.TryRemove(version, out _);
        settledOrder.Enqueue(version);
        // The oldest settled ones go first; a deferred one is never dropped here (it is due again).
        while (notBefore.Count > maxRemembered && settledOrder.TryDequeue(out var oldest))
            notBefore.TryRemove(new KeyValuePair<ObjectVersion, DateTimeOffset>(oldest, DateTimeOffset.MaxValue));
    }

    public void Defer(ObjectVersion version, DateTimeOffset until)
    {
        notBefore[version] = until;
        mine.TryRemove(version, out _);
    }

    public void Own(ObjectVersion version) => mine[version] = 0;

    /// <summary>A full listing starts: the versions it shows are noted (through <see cref="ShouldLook"/>).</summary>
    public void BeginListing() => listing = [];

    /// <summary>
    /// The listing ended: <paramref name="complete"/> when it went through the whole location, and
    /// then the remembered versions it did not show are forgotten (the object is gone or changed, or
    /// older than the watermark's window, so not shown to the tracker). Answers, for a complete
    /// listing, the earliest last-modified time among the versions it showed that are not settled
    /// yet and the latest among all it showed (each null where none had one).
    /// </summary>
    public (DateTimeOffset? EarliestOpen, DateTimeOffset? Latest) EndListing(bool complete)
    {
        var seen = listing;
        listing = null;
        if (!complete || seen is null)
            return (null, null);
        foreach (var version in notBefore.Keys)
        {
            if (!seen.Contains(version) && !mine.ContainsKey(version))
                notBefore.TryRemove(version, out _);
        }
        DateTimeOffset? earliestOpen = null, latest = null;
        foreach (var version in seen)
        {
            if (version.Modified is not { } modified)
                continue;
            latest = latest is { } l && l >= modified ? l : modified;
            var settled = notBefore.TryGetValue(version, out var until) && until == DateTimeOffset.MaxValue;
            if (!settled && (earliestOpen is not { } e || modified < e))
                earliestOpen = modified;
        }
        return (earliestOpen, latest);
    }
}
