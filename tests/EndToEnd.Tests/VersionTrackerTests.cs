using Serverless.Drops;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// A drop location's memory of settled versions is bounded: a full listing forgets what it no
/// longer shows, and past the cap the settled versions seen longest ago go first.
/// </summary>
public sealed class VersionTrackerTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    [Fact]
    public void A_full_listing_forgets_versions_it_no_longer_shows()
    {
        var tracker = new VersionTracker();
        var gone = new ObjectVersion("in/gone.jpg", "e1");
        var kept = new ObjectVersion("in/kept.jpg", "e2");
        var owned = new ObjectVersion("in/owned.jpg", "e3");
        tracker.Settle(gone);
        tracker.Settle(kept);
        tracker.Own(owned);

        tracker.BeginListing();
        Assert.False(tracker.ShouldLook(kept, Now));
        tracker.EndListing(complete: true);

        Assert.Equal(1, tracker.Remembered);
        Assert.False(tracker.ShouldLook(kept, Now));
        Assert.False(tracker.ShouldLook(owned, Now)); // in this process's hands: never forgotten
        Assert.True(tracker.ShouldLook(gone, Now)); // listed again, it would be looked up in its receipt
    }

    [Fact]
    public void A_listing_cut_short_forgets_nothing()
    {
        var tracker = new VersionTracker();
        var version = new ObjectVersion("in/a.jpg", "e");
        tracker.Settle(version);

        tracker.BeginListing();
        tracker.EndListing(complete: false);

        Assert.False(tracker.ShouldLook(version, Now));
    }

    [Fact]
    public void Past_the_cap_the_oldest_settled_versions_are_forgotten_first()
    {
        var tracker = new VersionTracker(maxRemembered: 1000);
        for (var i = 0; i < 5000; i++)
            tracker.Settle(new ObjectVersion($"in/{i:D5}.jpg", "e"));

        Assert.Equal(1000, tracker.Remembered);
        Assert.False(tracker.ShouldLook(new ObjectVersion("in/04999.jpg", "e"), Now));
        Assert.True(tracker.ShouldLook(new ObjectVersion("in/00000.jpg", "e"), Now));
    }
}
