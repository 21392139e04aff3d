using System.Collections.Concurrent;

namespace Serverless.Drops;

/// <summary>
/// This process's memory of a location's versions, so a listing only touches the receipts of
/// versions it has not settled: settled ones are skipped for good, busy ones until their claim
/// may expire. Seeded from the persisted receipts at start (the watermark survives restarts).
/// </summary>
internal sealed class VersionTracker : IDropSettlement
{
    private readonly ConcurrentDictionary<ObjectVersion, DateTimeOffset> notBefore = new();
    private readonly ConcurrentDictionary<ObjectVersion, byte> mine = new();

    public int Settled => notBefore.Count(p => p.Value == DateTimeOffset.MaxValue);

    public bool ShouldLook(ObjectVersion version, DateTimeOffset now) =>
        !mine.ContainsKey(version) && (!notBefore.TryGetValue(version, out var until) || until <= now);

    public void Settle(ObjectVersion version)
    {
        notBefore[version] = DateTimeOffset.MaxValue;
        mine.TryRemove(version, out _);
    }

    public void Defer(ObjectVersion version, DateTimeOffset until)
    {
        notBefore[version] = until;
        mine.TryRemove(version, out _);
    }

    public void Own(ObjectVersion version) => mine[version] = 0;
}
