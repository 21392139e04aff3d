using Serverless.Storage;

namespace Serverless.Jobs.Pages;

/// <summary>
/// One page of a job's listing from its store: the store's answers gathered until the job's page size
/// (S3 answers at most 1,000 keys a request, Azure Blob 5,000), each asked for only what the page still
/// lacks, so a page never holds more than the page size. A page is what a job pays its fixed engine
/// costs for (a page orchestration, its scheduler calls, its record), so it is not cut to the store's limit.
/// </summary>
public static class StorePages
{
    /// <summary>
    /// The most answers one page gathers: a prefix of files the job skips (not images) ends its page
    /// after this many, short, and the next page goes on from there.
    /// </summary>
    public const int MaxAnswersPerPage = 16;

    /// <summary>The page that starts at <paramref name="token"/> (null: the first).</summary>
    public static async Task<SourcePage> ListAsync(IImageSource source, string? token, int pageSize, CancellationToken cancellationToken)
    {
        var keys = new List<string>(pageSize);
        List<SourceObject>? objects = null;
        var skipped = 0;
        for (var answers = 0; answers < MaxAnswersPerPage; answers++)
        {
            var answer = await source.ListPageAsync(token, pageSize - keys.Count, cancellationToken).ConfigureAwait(false);
            keys.AddRange(answer.Keys);
            if (answer.Objects is { } listedObjects)
                (objects ??= new List<SourceObject>(pageSize)).AddRange(listedObjects);
            skipped += answer.Skipped;
            token = answer.NextToken;
            if (token is null || keys.Count >= pageSize)
                break;
        }
        return new SourcePage(keys, token, skipped) { Objects = objects };
    }
}
