namespace Serverless.Storage;

/// <summary>A temporary file that holds content produced by a writer callback until it is uploaded.</summary>
internal sealed class SpoolFile : IDisposable
{
    private SpoolFile(string path, long length)
    {
        Path = path;
        Length = length;
    }

    public string Path { get; }

    public long Length { get; }

    public static async Task<SpoolFile> WriteAsync(Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"serverless-spool-{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await writeContent(file, cancellationToken).ConfigureAwait(false);
            }

            return new SpoolFile(path, new FileInfo(path).Length);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    public FileStream OpenRead() =>
        new(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
    }
}
