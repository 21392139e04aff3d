namespace Serverless.TestSupport;

/// <summary>A fresh temporary folder, deleted with its contents on <see cref="Dispose"/>.</summary>
public sealed class TempDir : IDisposable
{
    /// <summary>Creates <c>$TMPDIR/serverless-tests/&lt;prefix&gt;-&lt;guid&gt;</c>.</summary>
    public TempDir(string prefix = "tmp")
    {
        Path = System.IO.Path.Combine(
            System.IO.Path.GetTempPath(), "serverless-tests", $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>A path inside the folder (not created).</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <inheritdoc/>
    public override string ToString() => Path;

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A process that still holds a file (a server being killed) must not fail the test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
