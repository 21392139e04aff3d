namespace Serverless.TestSupport;

/// <summary>
/// A private Azurite (Blob, Queue, Table) on free loopback ports with its data in a temp
/// folder. Create with <see cref="StartAsync"/>; disposing kills it and deletes the data
/// (unless the caller supplied the location).
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable, IDisposable
{
    /// <summary>Azurite's well-known development account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The well-known key of <see cref="AccountName"/> (public, documented by Microsoft).</summary>
    public const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly NodeServerProcess server;
    private readonly TempDir? ownedLocation;

    private AzuriteProcess(NodeServerProcess server, int[] ports, string location, TempDir? ownedLocation, bool https = false)
    {
        this.server = server;
        Scheme = https ? "https" : "http";
        this.ownedLocation = ownedLocation;
        BlobPort = ports[0];
        QueuePort = ports[1];
        TablePort = ports[2];
        Location = location;
    }

    /// <summary>Blob service port.</summary>
    public int BlobPort { get; }

    /// <summary>Queue service port.</summary>
    public int QueuePort { get; }

    /// <summary>Table service port.</summary>
    public int TablePort { get; }

    /// <summary><c>https</c> when started with a certificate (and OAuth), else <c>http</c>.</summary>
    public string Scheme { get; }

    /// <summary>The folder Azurite keeps its data in.</summary>
    public string Location { get; }

    /// <summary>The node process id (tests that kill the emulator use it).</summary>
    public int Pid => server.Pid;

    /// <summary>Blob endpoint, e.g. <c>http://127.0.0.1:PORT/devstoreaccount1</c>.</summary>
    public Uri BlobEndpoint => new($"{Scheme}://127.0.0.1:{BlobPort}/{AccountName}");

    /// <summary>Queue endpoint.</summary>
    public Uri QueueEndpoint => new($"{Scheme}://127.0.0.1:{QueuePort}/{AccountName}");

    /// <summary>Table endpoint.</summary>
    public Uri TableEndpoint => new($"{Scheme}://127.0.0.1:{TablePort}/{AccountName}");

    /// <summary>A storage connection string with explicit endpoints for all three services.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint};";

    /// <summary>The last lines Azurite printed, for diagnostics.</summary>
    public string OutputTail => server.OutputTail;

    /// <summary>
    /// Starts Azurite and waits until all three ports accept connections. Installs the npm
    /// packages first if they are missing. <paramref name="location"/>: the data folder
    /// (default: a fresh temp folder deleted on dispose). <paramref name="debugLog"/>: a file for
    /// Azurite's debug log, one line per request among others (benchmarks count requests from it).
    /// <paramref name="oauthCertificate"/>: PEM certificate and key files; Azurite then serves HTTPS
    /// with <c>--oauth basic</c>, so bearer tokens are accepted (Azurite checks their issuer,
    /// audience and lifetime, not their signature).
    /// </summary>
    public static async Task<AzuriteProcess> StartAsync(string? location = null, CancellationToken cancellationToken = default, string? debugLog = null,
        (string CertPem, string KeyPem)? oauthCertificate = null)
    {
        await LocalStackInstall.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var owned = location is null ? new TempDir("azurite") : null;
        var dataDir = location ?? owned!.Path;
        Directory.CreateDirectory(dataDir);
        try
        {
            var (server, ports) = await NodeServerProcess.StartOnFreePortsAsync("Azurite", 3, ports =>
            (
                [],
                LocalStackInstall.AzuriteScript,
                [
                    "--blobHost", "127.0.0.1", "--blobPort", ports[0].ToString(),
                    "--queueHost", "127.0.0.1", "--queuePort", ports[1].ToString(),
                    "--tableHost", "127.0.0.1", "--tablePort", ports[2].ToString(),
                    "--location", dataDir,
                    "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry",
                    .. (debugLog is null ? Array.Empty<string>() : ["--debug", debugLog]),
                    .. (oauthCertificate is not { } tls ? Array.Empty<string>() : ["--oauth", "basic", "--cert", tls.CertPem, "--key", tls.KeyPem]),
                ]
            ), dataDir, StartTimeout, cancellationToken).ConfigureAwait(false);
            return new AzuriteProcess(server, ports, dataDir, owned, oauthCertificate is not null);
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
        ownedLocation?.Dispose();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
