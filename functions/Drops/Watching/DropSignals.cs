using System.Collections.Concurrent;
using Serverless.Drops;
using Serverless.Storage;

namespace Serverless.Drops.Watching;

/// <summary>The watchers of this process, by location, so a notification can make the right ones list at once.</summary>
public sealed class DropSignals
{
    private readonly ConcurrentDictionary<string, (SourceUri Location, Action Poke)> watchers = new();

    internal void Register(SourceUri location, Action poke) => watchers[location.ToString()] = (location, poke);

    /// <summary>Pokes every watcher under which one of <paramref name="objects"/> lies; returns how many were poked.</summary>
    public int Notify(IEnumerable<DroppedObject> objects)
    {
        var list = objects.ToArray();
        var poked = 0;
        foreach (var (location, poke) in watchers.Values)
        {
            if (list.Any(o => o.IsUnder(location)))
            {
                poke();
                poked++;
            }
        }
        return poked;
    }
}
