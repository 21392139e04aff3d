using System.Runtime.CompilerServices;
using Serverless.Storage;

namespace Serverless.Drops;

/// <summary>
/// A local folder, recursively; the "ETag" is size and last-write time, which change with every rewrite.
/// No <see cref="ObjectVersion.Modified"/>: a file copied or moved in keeps whatever times it had
/// (<c>cp -p</c>, <c>rsync -t</c>, <c>mv</c>), and .NET exposes neither the inode's change time nor its
/// birth time here, so no time says when it arrived: a local folder is judged in full, outside the watermark.
/// </summary>
internal sealed class LocalVersionLister(SourceUri location) : IVersionLister
{
    public Task<string?> CurrentETagAsync(string key, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(Path.Combine(location.LocalPath, key));
        return Task.FromResult(info.Exists ? ETag(info) : null);
    }

    public async IAsyncEnumerable<IReadOnlyList<ObjectVersion>> ListPagesAsync(int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(location.LocalPath))
            yield break;
        var page = new List<ObjectVersion>(pageSize);
        foreach (var path in Directory.EnumerateFiles(location.LocalPath, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = new FileInfo(path);
            var key = Path.GetRelativePath(location.LocalPath, path).Replace('\\', '/');
            page.Add(new ObjectVersion(key, ETag(info)));
            if (page.Count == pageSize)
            {
                yield return page;
                page = new List<ObjectVersion>(pageSize);
            }
        }
        if (page.Count > 0)
            yield return page;
        await Task.CompletedTask;
    }

    private static string ETag(FileInfo info) => $"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}";
}
