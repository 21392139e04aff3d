using Serverless.Jobs.Pages;
using Serverless.Storage;
using Serverless.TestSupport;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// A job's page gathers its store's answers up to the page size: a real folder listed through a
/// source that answers at most a few keys a request, as S3 answers at most 1,000.
/// </summary>
public sealed class StorePagesTests : IDisposable
{
    private readonly TempDir folder = new("store-pages");

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task A_page_holds_the_page_size_from_several_answers_and_the_next_page_goes_on_where_it_stopped()
    {
        for (var i = 0; i < 10; i++)
            File.WriteAllBytes(Path.Combine(folder.Path, $"img-{i:D2}.png"), [1]);
        var source = new Capped(ImageSourceFactory.Create(folder.Path, new StorageConnections()), cap: 3);

        var first = await StorePages.ListAsync(source, null, 7, CancellationToken.None);
        var second = await StorePages.ListAsync(source, first.NextToken, 7, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"img-{i:D2}.png"), first.Keys);
        Assert.Equal(first.Keys, first.Objects!.Select(o => o.Key));
        Assert.NotNull(first.NextToken);
        // Three answers of 3, 3 and 1: never more than the page lacks.
        Assert.Equal([7, 4, 1], source.Asked[..3]);
        Assert.Equal(Enumerable.Range(7, 3).Select(i => $"img-{i:D2}.png"), second.Keys);
        Assert.Null(second.NextToken);
    }

    [Fact]
    public async Task A_run_of_skipped_keys_ends_a_page_short_after_the_most_answers_and_loses_nothing()
    {
        for (var i = 0; i < StorePages.MaxAnswersPerPage + 4; i++)
            File.WriteAllBytes(Path.Combine(folder.Path, $"a-{i:D2}.png"), [1]);
        File.WriteAllBytes(Path.Combine(folder.Path, "z.png"), [1]);
        // Every key but z.png is skipped, as a source skips what a job does not read.
        var source = new Capped(ImageSourceFactory.Create(folder.Path, new StorageConnections()), cap: 1, skip: k => k.StartsWith("a-", StringComparison.Ordinal));

        var first = await StorePages.ListAsync(source, null, 5, CancellationToken.None);
        var second = await StorePages.ListAsync(source, first.NextToken, 5, CancellationToken.None);

        Assert.Empty(first.Keys);
        Assert.Equal(StorePages.MaxAnswersPerPage, first.Skipped);
        Assert.NotNull(first.NextToken);
        Assert.Equal(["z.png"], second.Keys);
        Assert.Equal(4, second.Skipped);
        Assert.Null(second.NextToken);
    }

    /// <summary>A source that answers at most <paramref name="cap"/> keys a request, counting what each request asked.</summary>
    private sealed class Capped(IImageSource inner, int cap, Func<string, bool>? skip = null) : IImageSource
    {
        public List<int> Asked { get; } = [];

        public SourceUri Location => inner.Location;

        public async IAsyncEnumerable<SourcePage> ListPagesAsync(string? continuationToken, int pageSize,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Asked.Add(pageSize);
            await foreach (var page in inner.ListPagesAsync(continuationToken, Math.Min(pageSize, cap), cancellationToken))
            {
                var kept = page.Objects!.Where(o => skip?.Invoke(o.Key) != true).ToList();
                yield return new SourcePage(kept.Select(o => o.Key).ToList(), page.NextToken, page.Skipped + page.Keys.Count - kept.Count) { Objects = kept };
            }
        }

        public Task<byte[]> ReadAllBytesAsync(string key, long maxBytes, CancellationToken cancellationToken = default) => inner.ReadAllBytesAsync(key, maxBytes, cancellationToken);

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default) => inner.OpenReadAsync(key, cancellationToken);
    }
}
