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

    private AzuriteProcess(NodeServerProcess server, int[] ports, string location, TempDir? ownedLocation)
    {
        this.server = server;
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

    /// <summary>The folder Azurite keeps its data in.</summary>
    public string Location { get; }

    /// <summary>The node process id (tests that kill the emulator use it).</summary>
    public int Pid => server.Pid;

    /// <summary>Blob endpoint, e.g. <c>http://127.0.0.1:PORT/devstoreaccount1</c>.</summary>
    public Uri BlobEndpoint => new($"http://127.0.0.1:{BlobPort}/{AccountName}");

    /// <summary>Queue endpoint.</summary>
    public Uri QueueEndpoint => new($"http://127.0.0.1:{QueuePort}/{AccountName}");

    /// <summary>Table endpoint.</summary>
    public Uri TableEndpoint => new($"http://127.0.0.1:{TablePort}/{AccountName}");

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
    /// </summary>
    public static async Task<AzuriteProcess> StartAsync(string? location = null, CancellationToken cancellationToken = default, string? debugLog = null)
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
                ]
            ), dataDir, StartTimeout, cancellationToken).ConfigureAwait(false);
            return new AzuriteProcess(server, ports, dataDir, owned);
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
