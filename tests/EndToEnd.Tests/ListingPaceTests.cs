using Serverless.Drops;
using Serverless.Drops.Watching;

namespace Serverless.EndToEnd.Tests;

/// <summary>How soon a drop watcher lists its location again (no processes).</summary>
public sealed class ListingPaceTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    [Fact]
    public void A_listing_that_found_new_versions_is_followed_after_the_poll_interval_however_long_it_took() =>
        Assert.Equal(Poll, ListingPace.Delay(Poll, TimeSpan.FromSeconds(3), foundNew: true));

    [Fact]
    public void A_quick_idle_listing_is_followed_after_the_poll_interval() =>
        Assert.Equal(Poll, ListingPace.Delay(Poll, TimeSpan.FromMilliseconds(20), foundNew: false));

    [Fact]
    public void A_slow_idle_listing_is_followed_after_four_times_its_duration() =>
        Assert.Equal(TimeSpan.FromSeconds(2), ListingPace.Delay(Poll, TimeSpan.FromMilliseconds(500), foundNew: false));
}
