using System.Runtime.CompilerServices;

namespace Serverless.Storage.Local;

/// <summary>
/// Outputs in a local folder (created on first write). A write goes to a temporary file
/// beside the target and is renamed over it, so readers never see half a file.
/// </summary>
internal sealed class LocalResultStore : IResultStore
{
    private readonly StorageExecutor executor;

    public LocalResultStore(SourceUri location, StorageExecutor executor)
    {
        Location = location;
        this.executor = executor;
    }

    public SourceUri Location { get; }

    public Task WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        WriteAsync(name, (stream, ct) => stream.WriteAsync(content, ct).AsTask(), cancellationToken);

    public Task WriteAsync(string name, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken = default)
    {
        var path = LocalErrors.FullPath(Location, name);
        return executor.RunAsync(path, async ct =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = $"{path}.{Guid.NewGuid():N}.tmp";
            try
            {
                await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    await writeContent(file, ct).ConfigureAwait(false);
                }

                File.Move(temp, path, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }
        }, cancellationToken);
    }

    public Task ConcatenateAsync(string name, IReadOnlyList<string> sources, CancellationToken cancellationToken = default) =>
        WriteAsync(name, async (output, ct) =>
        {
            foreach (var source in sources)
            {
                await using var input = await OpenReadAsync(source, ct).ConfigureAwait(false);
                await input.CopyToAsync(output, 1 << 20, ct).ConfigureAwait(false);
            }
        }, cancellationToken);

    public Task<byte[]> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = LocalErrors.FullPath(Location, name);
        return executor.RunAsync(path, ct => File.ReadAllBytesAsync(path, ct), cancellationToken);
    }

    public Task<T> ReadAsync<T>(string name, Func<Stream, CancellationToken, Task<T>> read, CancellationToken cancellationToken = default)
    {
        var path = LocalErrors.FullPath(Location, name);
        return executor.RunAsync(path, async ct =>
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, useAsync: true);
            return await read(file, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = LocalErrors.FullPath(Location, name);
        return executor.RunAsync(path, _ => Task.FromResult<Stream>(
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true)), cancellationToken);
    }

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(LocalErrors.FullPath(Location, name)));

    public Task DeleteAsync(IReadOnlyList<string> names, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(names.Count, IResultStore.DeleteBatch, nameof(names));
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Location.LocalPath));
        return executor.RunAsync(Location.LocalPath, _ =>
        {
            var folders = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                var path = LocalErrors.FullPath(Location, name);
                if (File.Exists(path)) // deleted before, with its folder: File.Delete would throw on the missing folder
                    File.Delete(path);
                folders.Add(Path.GetDirectoryName(path)!);
            }
            // Folders the deletes emptied go too (deepest first), never the location itself.
            foreach (var folder in folders.OrderByDescending(f => f.Length))
                for (var dir = folder; dir.Length > root.Length && Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any(); dir = Path.GetDirectoryName(dir)!)
                    Directory.Delete(dir);
            return Task.CompletedTask;
        }, cancellationToken);
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(Location.LocalPath))
        {
            yield break;
        }

        foreach (var name in SortedFileWalker.Walk(Location.LocalPath, null))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (name.StartsWith(prefix, StringComparison.Ordinal) && !name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                yield return name;
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
