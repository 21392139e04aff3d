using Serverless.Drops;

namespace Serverless.Drops.Watching;

/// <summary>
/// When a watcher lists its location again. After a listing that found new versions, the poll
/// interval. After one that found nothing, also at least <see cref="IdleFactor"/> times as long as
/// that listing took: an idle watcher of a large prefix then spends at most a fifth of its time
/// listing, instead of listing back to back (2,000 objects on s3rver took 0.3 to 0.6 s a listing,
/// and an S3 listing returns 1,000 keys a request). A push notification still lists at once.
/// </summary>
internal static class ListingPace
{
    public const int IdleFactor = 4;

    public static TimeSpan Delay(TimeSpan pollInterval, TimeSpan listingTook, bool foundNew) =>
        foundNew || listingTook * IdleFactor <= pollInterval ? pollInterval : listingTook * IdleFactor;
}
