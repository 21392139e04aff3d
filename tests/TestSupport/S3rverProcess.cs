namespace Serverless.TestSupport;

/// <summary>
/// A private s3rver (S3 API) on a free loopback port with its data in a temp folder.
/// node runs with <c>--openssl-legacy-provider</c>: s3rver's ListObjectsV2 continuation
/// tokens use DES, and without it a truncated listing answers 500.
/// </summary>
public sealed class S3rverProcess : IAsyncDisposable, IDisposable
{
    /// <summary>s3rver's built-in access key (an unknown key is answered 403).</summary>
    public const string AccessKey = "S3RVER";

    /// <summary>s3rver's built-in secret key (s3rver does not check signatures).</summary>
    public const string SecretKey = "S3RVER";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly NodeServerProcess server;
    private readonly TempDir? ownedDirectory;

    private S3rverProcess(NodeServerProcess server, int port, string directory, TempDir? ownedDirectory)
    {
        this.server = server;
        this.ownedDirectory = ownedDirectory;
        Port = port;
        Directory = directory;
    }

    /// <summary>The HTTP port.</summary>
    public int Port { get; }

    /// <summary>The data folder.</summary>
    public string Directory { get; }

    /// <summary>The node process id.</summary>
    public int Pid => server.Pid;

    /// <summary>The endpoint for the S3 client, e.g. <c>http://127.0.0.1:PORT</c> (path-style).</summary>
    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The last lines s3rver printed, for diagnostics.</summary>
    public string OutputTail => server.OutputTail;

    /// <summary>
    /// Starts s3rver and waits until it accepts connections; <paramref name="buckets"/> are
    /// created at start-up. <paramref name="directory"/>: the data folder (default: a fresh
    /// temp folder deleted on dispose).
    /// </summary>
    public static async Task<S3rverProcess> StartAsync(
        IEnumerable<string>? buckets = null, string? directory = null, CancellationToken cancellationToken = default)
    {
        await LocalStackInstall.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var owned = directory is null ? new TempDir("s3rver") : null;
        var dataDir = directory ?? owned!.Path;
        System.IO.Directory.CreateDirectory(dataDir);
        try
        {
            var (server, ports) = await NodeServerProcess.StartOnFreePortsAsync("s3rver", 1, ports =>
            (
                ["--openssl-legacy-provider"],
                LocalStackInstall.S3rverScript,
                [
                    "--address", "127.0.0.1", "--port", ports[0].ToString(), "--directory", dataDir, "--silent",
                    .. (buckets ?? []).SelectMany(bucket => new[] { "--configure-bucket", bucket }),
                ]
            ), dataDir, StartTimeout, cancellationToken).ConfigureAwait(false);
            return new S3rverProcess(server, ports[0], dataDir, owned);
        }
        catch
        {
            owned?.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        server.Dispose();
        ownedDirectory?.Dispose();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
