using System.Collections.Concurrent;
using System.Text.RegularExpressions;

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
    private readonly ConcurrentQueue<string> requests = new();

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

    /// <summary>
    /// The requests s3rver answered, as <c>METHOD /bucket/key?query</c>, when started with
    /// <c>logRequests</c> (empty otherwise): a benchmark counts the storage requests of a job with them.
    /// </summary>
    public IReadOnlyCollection<string> Requests => requests;

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
        IEnumerable<string>? buckets = null, string? directory = null, CancellationToken cancellationToken = default, bool logRequests = false)
    {
        await LocalStackInstall.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var owned = directory is null ? new TempDir("s3rver") : null;
        var dataDir = directory ?? owned!.Path;
        System.IO.Directory.CreateDirectory(dataDir);
        try
        {
            var (server, ports) = await NodeServerProcess.StartOnFreePortsAsync("s3rver", 1, ports =>
            (
                ["--openssl-legacy-provider", .. (logRequests ? ["--require", Path.Combine(RepoPaths.Local, "request-log.cjs")] : Array.Empty<string>())],
                LocalStackInstall.S3rverScript,
                [
                    "--address", "127.0.0.1", "--port", ports[0].ToString(), "--directory", dataDir, "--silent",
                    .. (buckets ?? []).SelectMany(bucket => new[] { "--configure-bucket", bucket }),
                ]
            ), dataDir, StartTimeout, cancellationToken).ConfigureAwait(false);
            var s3rver = new S3rverProcess(server, ports[0], dataDir, owned);
            if (logRequests)
                server.Line += s3rver.Observe;
            return s3rver;
        }
        catch
        {
            owned?.Dispose();
            throw;
        }
    }

    // local/request-log.cjs prints "request METHOD URL" for each request.
    private static readonly Regex RequestLine = new(@"^request ([A-Z]+) (\S+)$", RegexOptions.CultureInvariant);

    private void Observe(string line)
    {
        if (RequestLine.Match(line) is { Success: true } m)
            requests.Enqueue($"{m.Groups[1].Value} {m.Groups[2].Value}");
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
