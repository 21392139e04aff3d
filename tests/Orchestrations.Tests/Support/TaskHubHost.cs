using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Jobs.Attempts;
using Serverless.Jobs;
using Serverless.BatchInference.Contracts;
using Serverless.Host.Hosting;
using Serverless.ModelZoo;
using Serverless.Storage;
using Serverless.Storage.Results;
using Serverless.TestSupport;
using OpenTelemetry.Trace;
using Serverless.Jobs.Classification;
using Serverless.Jobs.Tenancy;

namespace Serverless.Orchestrations.Tests.Support;

/// <summary>
/// One Azurite, one s3rver (buckets <see cref="Buckets"/>) and one in-process `serverless host` (role all: the real DTFx worker, its client
/// and the job submission) on a hub of their own, shared by the tests of a collection. Jobs read
/// local folders under <see cref="Root"/> and are classified by the dominant-color model. Pages
/// are small (<see cref="PageSize"/>, units of <see cref="ImagesPerTask"/>, merge shards of two pages) and the job continues as new every <see cref="PagesPerExecution"/> pages.
/// </summary>
public sealed class TaskHubHost : IAsyncLifetime
{
    public const int PageSize = 8;
    public const int PagesPerExecution = 2;
    public const int ImagesPerTask = 4;

    private readonly TempDir temp = new("orchestrations");
    private readonly IReadOnlyDictionary<string, string> overrides;
    private AzuriteProcess? azurite;
    private S3rverProcess? s3rver;
    private WebApplication? app;

    public TaskHubHost()
        : this(new Dictionary<string, string>())
    {
    }

    /// <summary>A host of a test's own, with <paramref name="overrides"/> over the collection's settings.</summary>
    internal TaskHubHost(IReadOnlyDictionary<string, string> overrides) => this.overrides = overrides;

    /// <summary>The buckets s3rver is started with (jobs over S3 and S3 inventories; tests keep apart by prefix).</summary>
    public static readonly string[] Buckets = ["inv-src", "inv-dst", "inv-other"];

    public string Root => temp.Path;
    public string Model => Path.Combine(Root, "models", "dominant-color.onnx");
    public string HubName { get; } = "orch" + Guid.NewGuid().ToString("N")[..8];
    public AzuriteProcess Azurite => azurite!;
    public S3rverProcess S3rver => s3rver!;

    /// <summary>The stores as the host reaches them: s3rver for s3://, Azurite (the task hub's account) for azblob://.</summary>
    public StorageConnections Connections => new()
    {
        S3 = new S3Settings { ServiceUrl = S3rver.ServiceUrl, AccessKey = S3rverProcess.AccessKey, SecretKey = S3rverProcess.SecretKey },
        Blob = new BlobSettings { ConnectionString = Azurite.ConnectionString },
    };
    public DurableTaskClient Client => app!.Services.GetRequiredService<DurableTaskClient>();
    public JobSubmission Submission => app!.Services.GetRequiredService<JobSubmission>();
    public JobManagement Management => app!.Services.GetRequiredService<JobManagement>();
    public AttemptLedger Attempts => app!.Services.GetRequiredService<AttemptLedger>();
    public JobResources Resources => app!.Services.GetRequiredService<JobResources>();
    public IServiceProvider Services => app!.Services;
    public Serverless.Jobs.Progress.UnitProgress UnitProgress => app!.Services.GetRequiredService<Serverless.Jobs.Progress.UnitProgress>();
    public ClassifierCache Classifiers => app!.Services.GetRequiredService<ClassifierCache>();

    /// <summary>Every span the host's tracing pipeline exported (its in-memory exporter, after the host's own processors).</summary>
    public SpanLog Spans { get; } = new();

    public async Task InitializeAsync()
    {
        ModelZooWriter.Write("dominant-color", Model);
        var s3rverStart = S3rverProcess.StartAsync(Buckets, Path.Combine(Root, "s3rver"));
        azurite = await AzuriteProcess.StartAsync(Path.Combine(Root, "azurite"));
        s3rver = await s3rverStart;
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["SERVERLESS_MASTER_KEY"] = "orchestration-tests",
            ["AWS_ENDPOINT_URL_S3"] = s3rver.ServiceUrl,
            ["AWS_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
            ["jobs:localRoot"] = Root,
            ["models:root"] = Root,
            ["extensions:durableTask:hubName"] = HubName,
            ["extensions:durableTask:storageProvider:partitionCount"] = "1",
            ["extensions:durableTask:storageProvider:maxQueuePollingInterval"] = "00:00:00.200",
            ["batchInference:pageSize"] = PageSize.ToString(),
            ["batchInference:pagesPerExecution"] = PagesPerExecution.ToString(),
            ["batchInference:imagesPerTask"] = ImagesPerTask.ToString(),
            ["batchInference:pagesPerShard"] = "2",
            ["batchInference:unitProgressSeconds"] = "0",
            // One hub serves every test of the collection, and jobs of earlier tests may still end: enough
            // slots that they never wait for each other (the scheduler's own tests set their own).
            ["scheduling:slots"] = "64",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides)
            settings[key] = value;
        app = HostApp.Build(HostRole.All, $"http://127.0.0.1:{FreePort.Next()}", customization: new HostCustomization(settings,
            services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans))));
        await app.StartAsync();
    }

    /// <summary>Writes <paramref name="count"/> synthetic images (colour in the name) into a new folder under the root.</summary>
    public string WriteImages(string name, int count, int seed, int minSize = 32, int maxSize = 48)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Root, name)).FullName;
        SyntheticImages.Write(folder, count, seed, minSize, maxSize);
        return folder;
    }

    /// <summary>Submits a job through the same submission the HTTP API uses, as <paramref name="caller"/> (the implicit tenant by default); returns its id.</summary>
    public async Task<string> SubmitAsync(JobRequest request, CallerIdentity? caller = null)
    {
        var outcome = await Submission.SubmitAsync(Client, request, caller ?? CallerIdentity.Implicit, CancellationToken.None);
        Assert.True(outcome.JobId is not null, string.Join("; ", outcome.Errors.Select(e => $"{e.Key}: {e.Value}")) + outcome.Refused);
        return outcome.JobId!;
    }

    /// <summary>Waits until the job has ended (not only Running: Pending has not ended either).</summary>
    public async Task<OrchestrationMetadata> WaitAsync(string id, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        return await Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, cancel.Token);
    }

    /// <summary>The merged predictions of a job's output folder.</summary>
    public async Task<IReadOnlyList<PredictionRow>> ReadPredictionsAsync(string output)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(output, ResultWriter.PredictionsName(PredictionFormat.Jsonl)));
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(PredictionJson.Parse).ToList();
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        if (azurite is not null)
            await azurite.DisposeAsync();
        if (s3rver is not null)
            await s3rver.DisposeAsync();
        temp.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class TaskHubCollection : ICollectionFixture<TaskHubHost>
{
    public const string Name = "task hub";
}
