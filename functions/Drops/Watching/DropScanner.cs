namespace Serverless.Drops.Watching;

/// <summary>
/// One listing of an image prefix: the versions inside the watermark's window that this process has
/// not settled are claimed a batch at a time and handed to <c>take</c>; after a complete listing the
/// watermark rises and expired receipts are swept. What lies before the window is listed, not judged.
/// </summary>
internal sealed class DropScanner(string location, IVersionLister lister, ExtensionFilterView filter, VersionTracker tracker, DropWatermark watermark,
    DropClaims claims, DropOptions options, int batchSize)
{
    /// <summary>A claim's outcome for one version, with the outcomes after it in its chunk (released together if taking fails).</summary>
    public delegate Task Take(ObjectVersion version, ClaimResult result, IEnumerable<ClaimResult> later, CancellationToken cancellationToken);

    /// <summary>Lists the location once and claims what is new; whether anything was.</summary>
    public async Task<bool> ScanAsync(Take take, CancellationToken stoppingToken)
    {
        var foundNew = false;
        var complete = false;
        tracker.BeginListing();
        try
        {
            await foreach (var page in lister.ListPagesAsync(options.ListPageSize, stoppingToken).ConfigureAwait(false))
            {
                var now = DateTimeOffset.UtcNow;
                var candidates = page.Where(v => filter.Accepts(v.Key) && watermark.Judges(v) && tracker.ShouldLook(v, now)).ToArray();
                foundNew |= candidates.Length > 0;
                // A batch's worth of claims at a time, in one table transaction when they are all new.
                foreach (var chunk in candidates.Chunk(batchSize))
                {
                    // The claims themselves are not cancelled half-way: a claim stored but not seen would wait out its timeout.
                    var results = await claims.TryClaimAllAsync(location, chunk, options.IoConcurrency, CancellationToken.None).ConfigureAwait(false);
                    for (var i = 0; i < chunk.Length; i++)
                        await take(chunk[i], results[i], results.Skip(i + 1), stoppingToken).ConfigureAwait(false);
                }
            }
            complete = true;
        }
        finally
        {
            var (earliestOpen, latest) = tracker.EndListing(complete);
            if (complete)
            {
                await watermark.AdvanceAsync(earliestOpen, latest, stoppingToken).ConfigureAwait(false);
                await watermark.SweepAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        return foundNew;
    }
}
