using Serverless.Jobs.Attempts;
using Serverless.ModelZoo;
using Serverless.Storage;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Support;

/// <summary>
/// The storage a job runs against, shared by the end-to-end tests: real Azurite and s3rver on
/// free loopback ports, the generated models, and the 200 photographs uploaded once to s3rver.
/// </summary>
public sealed class JobStack : IAsyncLifetime
{
    public const string Bucket = "photos";
    public const string PhotosPrefix = "imagenet/";

    /// <summary>The host master key the tests' hosts run with (every endpoint but /healthz needs a key).</summary>
    public const string MasterKey = "e2e-master-key-0001";

    /// <summary>A named function key the tests' hosts accept (enough for jobs and classify, not for terminate and purge).</summary>
    public const string FunctionKey = "e2e-function-key";

    private readonly TempDir temp = new();
    private readonly SemaphoreSlim sharedHostStart = new(1, 1);
    private AzuriteProcess? azurite;
    private S3rverProcess? s3rver;
    private HostProcess? sharedHost;

    public AzuriteProcess Azurite => azurite!;
    public S3rverProcess S3rver => s3rver!;
    public string Folder => temp.Path;
    public string MobileNet => Path.Combine(temp.Path, "models", "mobilenetv2.onnx");
    public string DominantColor => Path.Combine(temp.Path, "models", "dominant-color.onnx");

    /// <summary>Storage settings as the host and the CLI read them from the environment.</summary>
    public IReadOnlyDictionary<string, string> StorageEnvironment => new Dictionary<string, string>
    {
        ["AzureWebJobsStorage"] = Azurite.ConnectionString,
        ["AWS_ENDPOINT_URL_S3"] = S3rver.ServiceUrl,
        ["AWS_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
    };

    /// <summary>The environment of a host on its own task hub (one per test class keeps them apart).</summary>
    public Dictionary<string, string> HostEnvironment(string hubName, IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>(StorageEnvironment)
        {
            ["extensions__durableTask__hubName"] = hubName,
            ["extensions__durableTask__storageProvider__maxQueuePollingInterval"] = "00:00:01",
            ["SERVERLESS_MASTER_KEY"] = MasterKey,
            // The generated models live in the stack's folder.
            ["models__root"] = Folder,
            ["keys__functions__e2e"] = FunctionKey,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            environment[key] = value;
        return environment;
    }

    /// <summary>
    /// A host environment for tests that kill workers again and again: short visibility timeouts
    /// (DTFx renews them every 5 s while the worker lives) and short partition leases, so a dead
    /// worker's messages and partitions come back within the test, and small pages so a job is
    /// many pages long.
    /// </summary>
    public Dictionary<string, string> WorkerLossEnvironment(string hubName) => HostEnvironment(hubName, new Dictionary<string, string>
    {
        ["extensions__durableTask__storageProvider__workItemQueueVisibilityTimeout"] = "00:00:15",
        ["extensions__durableTask__storageProvider__controlQueueVisibilityTimeout"] = "00:00:15",
        ["extensions__durableTask__storageProvider__leaseInterval"] = "00:00:06",
        ["extensions__durableTask__storageProvider__leaseRenewInterval"] = "00:00:02",
        ["extensions__durableTask__storageProvider__leaseAcquireInterval"] = "00:00:02",
        ["batchInference__pageSize"] = "200",
    });

    /// <summary>
    /// One `serverless host` (role all, hub <c>Shared</c>, <see cref="HostEnvironment"/>) for tests that
    /// need a working host and nothing of their own: started on first use, stopped with the stack.
    /// </summary>
    public async Task<HostProcess> SharedHostAsync()
    {
        await sharedHostStart.WaitAsync();
        try
        {
            return sharedHost ??= await HostProcess.StartAsync("all", HostEnvironment("Shared"));
        }
        finally
        {
            sharedHostStart.Release();
        }
    }

    /// <summary>The attempt ledger of a hub, as its workers keep it.</summary>
    public AttemptLedger Attempts(string hubName, int maxAttempts = AttemptLedgerOptions.DefaultMaxAttempts) => new(new AttemptLedgerOptions
    {
        Account = Serverless.Jobs.Configuration.TaskHubAccount.FromConnectionString(Azurite.ConnectionString),
        TableName = AttemptLedgerOptions.TableNameFor(hubName),
        MaxAttempts = maxAttempts,
    });

    /// <summary>Writes small synthetic images of known colours and uploads them under <paramref name="prefix"/> in the bucket.</summary>
    public async Task UploadSyntheticImagesAsync(string prefix, int count, int seed)
    {
        using var folder = new TempDir("synthetic");
        SyntheticImages.Write(folder.Path, count, seed, minSize: 48, maxSize: 96);
        await UploadFolderAsync(folder.Path, $"s3://{Bucket}/{prefix}");
    }

    public StorageConnections Connections => new()
    {
        S3 = new S3Settings { ServiceUrl = S3rver.ServiceUrl, AccessKey = S3rverProcess.AccessKey, SecretKey = S3rverProcess.SecretKey },
        Blob = new BlobSettings { ConnectionString = Azurite.ConnectionString },
    };

    public async Task InitializeAsync()
    {
        var models = Directory.CreateDirectory(Path.Combine(temp.Path, "models")).FullName;
        ModelZooWriter.Write("mobilenetv2", MobileNet, new ModelZooOptions { ClassesTsvPath = RepoPaths.ImagenetClassesTsv });
        ModelZooWriter.Write("dominant-color", DominantColor);
        var azuriteStart = AzuriteProcess.StartAsync(Path.Combine(temp.Path, "azurite"));
        var s3rverStart = S3rverProcess.StartAsync([Bucket, "drops"], Path.Combine(temp.Path, "s3rver"));
        azurite = await azuriteStart;
        s3rver = await s3rverStart;
        await UploadFolderAsync(RepoPaths.ImagenetSample200, $"s3://{Bucket}/{PhotosPrefix}");
    }

    /// <summary>Uploads every file of a folder (flat) under a storage location, in parallel.</summary>
    public async Task UploadFolderAsync(string folder, string location)
    {
        var store = ResultStoreFactory.Create(location, Connections);
        await Parallel.ForEachAsync(Directory.GetFiles(folder), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (file, ct) => await store.WriteAsync(Path.GetFileName(file), await File.ReadAllBytesAsync(file, ct), ct));
    }

    public async Task DisposeAsync()
    {
        if (sharedHost is not null)
            await sharedHost.DisposeAsync();
        if (azurite is not null)
            await azurite.DisposeAsync();
        if (s3rver is not null)
            await s3rver.DisposeAsync();
        temp.Dispose();
        sharedHostStart.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class JobStackCollection : ICollectionFixture<JobStack>
{
    public const string Name = "job stack";
}
