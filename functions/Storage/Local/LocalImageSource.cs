using System.Runtime.CompilerServices;

namespace Serverless.Storage.Local;

/// <summary>Images in a local folder tree; keys are '/'-separated paths relative to the folder.</summary>
internal sealed class LocalImageSource(SourceUri location, StorageExecutor executor, ExtensionFilter filter) : IImageSource
{
    public SourceUri Location { get; } = location;

    public async IAsyncEnumerable<SourcePage> ListPagesAsync(
        string? continuationToken, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        LocalErrors.RequireFolder(Location);
        using var walker = SortedFileWalker.Walk(Location.LocalPath, continuationToken).GetEnumerator();
        var hasNext = MoveNext(walker);
        while (hasNext)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var keys = new List<string>();
            var objects = new List<SourceObject>();
            var skipped = 0;
            string last = string.Empty;
            for (var n = 0; n < pageSize && hasNext; n++)
            {
                last = walker.Current;
                if (filter.Accepts(last))
                {
                    keys.Add(last);
                    objects.Add(Stat(last));
                }
                else
                {
                    skipped++;
                }

                hasNext = MoveNext(walker);
            }

            yield return new SourcePage(keys, hasNext ? last : null, skipped) { Objects = objects };
            await Task.Yield();
        }
    }

    public Task<byte[]> ReadAllBytesAsync(string key, long maxBytes, CancellationToken cancellationToken = default) =>
        executor.RunAsync(Describe(key), async ct =>
        {
            // Unbuffered (0): the whole file is read at once into an array of its size. A buffer would be 64 KB
            // allocated for each image smaller than it, most of a job's garbage when the images are small.
            await using var file = new FileStream(LocalErrors.FullPath(Location, key), FileMode.Open, FileAccess.Read, FileShare.Read, 0, useAsync: true);
            return await StreamBytes.ReadAllAsync(file, file.Length, maxBytes, ct).ConfigureAwait(false);
        }, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default) =>
        executor.RunAsync(Describe(key), _ => Task.FromResult<Stream>(new FileStream(
            LocalErrors.FullPath(Location, key), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true)), cancellationToken);

    private bool MoveNext(IEnumerator<string> walker)
    {
        try
        {
            return walker.MoveNext();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw executor.Translate(ex, Location.LocalPath);
        }
    }

    // The size read ahead of the image (the read-ahead budget reserves it), and an ETag made as web servers make
    // one for a file (its last-write time and size), so skipExisting knows a replaced file; a file gone since the walk has none.
    private SourceObject Stat(string key)
    {
        try
        {
            var file = new FileInfo(LocalErrors.FullPath(Location, key));
            var modified = file.LastWriteTimeUtc;
            return new SourceObject(key, file.Length, $"\"{modified.Ticks:x}-{file.Length:x}\"", new DateTimeOffset(modified, TimeSpan.Zero));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new SourceObject(key, null, null);
        }
    }

    private string Describe(string key) => Path.Combine(Location.LocalPath, key);
}
