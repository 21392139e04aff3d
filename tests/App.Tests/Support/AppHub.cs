using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Host.Hosting;
using Serverless.ModelZoo;
using Serverless.TestSupport;

namespace Serverless.App.Tests.Support;

/// <summary>
/// A task hub on Azurite served by an in-process `serverless host` worker, and the Functions app's
/// own service container over the same hub and settings: functions are created from that container
/// and called directly, with the self-host's DTFx client standing in for the [DurableClient]
/// binding. Jobs read local folders under <see cref="Root"/>; drops land in the <c>drops</c> container.
/// </summary>
public sealed class AppHub : IAsyncLifetime
{
    private readonly TempDir temp = new("app");
    private AzuriteProcess? azurite;
    private WebApplication? worker;

    public string Root => temp.Path;
    public string DominantColor => Path.Combine(Root, "models", "dominant-color.onnx");
    public string MobileNet => Path.Combine(Root, "models", "mobilenetv2.onnx");
    public string HubName { get; } = "app" + Guid.NewGuid().ToString("N")[..8];
    public AzuriteProcess Azurite => azurite!;
    public IServiceProvider Services { get; private set; } = null!;
    public DurableTaskClient Client => worker!.Services.GetRequiredService<DurableTaskClient>();
    public BlobContainerClient Drops => new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient("drops");

    public async Task InitializeAsync()
    {
        ModelZooWriter.Write("dominant-color", DominantColor);
        ModelZooWriter.Write("mobilenetv2", MobileNet, new ModelZooOptions { ClassesTsvPath = RepoPaths.ImagenetClassesTsv });
        azurite = await AzuriteProcess.StartAsync(Path.Combine(Root, "azurite"));
        var shared = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["SERVERLESS_MASTER_KEY"] = "app-tests",
            ["jobs:localRoot"] = Root,
            ["models:root"] = Root,
            ["extensions:durableTask:hubName"] = HubName,
            ["extensions:durableTask:storageProvider:partitionCount"] = "1",
            ["extensions:durableTask:storageProvider:maxQueuePollingInterval"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        // The self-host worker runs the jobs; it does not watch the drops (the blob triggers under test do).
        worker = HostApp.Build(HostRole.Worker, $"http://127.0.0.1:{FreePort.Next()}", customization: new HostCustomization(shared));
        await worker.StartAsync();

        var app = new Dictionary<string, string?>(shared)
        {
            ["drops:locations:0:source"] = "azblob://drops/incoming/",
            ["drops:locations:0:results"] = "azblob://drops/results/",
            ["drops:locations:0:model"] = DominantColor,
            ["drops:jobs:0"] = "azblob://drops/jobs/",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(app).Build();
        Services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddBatchInferenceApp(configuration).BuildServiceProvider();
        await Drops.CreateIfNotExistsAsync();
    }

    /// <summary>A function class as the Functions worker makes it: from the app's container.</summary>
    public T Function<T>() => ActivatorUtilities.CreateInstance<T>(Services);

    public async Task DisposeAsync()
    {
        if (worker is not null)
        {
            await worker.StopAsync();
            await worker.DisposeAsync();
        }
        if (azurite is not null)
            await azurite.DisposeAsync();
        temp.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class AppHubCollection : ICollectionFixture<AppHub>
{
    public const string Name = "app hub";
}
