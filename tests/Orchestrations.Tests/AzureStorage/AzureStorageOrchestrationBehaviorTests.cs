using Serverless.Orchestrations.Backends.AzureStorage;
using Serverless.Orchestrations.Tests.Behavior;
using Serverless.Orchestrations.Worker;
using Serverless.TestSupport;

namespace Serverless.Orchestrations.Tests.AzureStorage;

/// <summary>
/// The behavioural suite on the Azure Storage backend, against a private Azurite. Each test
/// gets its own task hub (queues, tables and containers named after a fresh hub name).
/// </summary>
public sealed class AzureStorageOrchestrationBehaviorTests(AzuriteFixture azurite) : OrchestrationBehaviorTests, IClassFixture<AzuriteFixture>
{
    protected override TimeSpan WaitTimeout => TimeSpan.FromSeconds(60);

    protected override Task<BackendUnderTest> CreateBackendAsync()
    {
        var backend = new AzureStorageOrchestrationBackend(TestHubs.Options(azurite.ConnectionString));
        return Task.FromResult(new BackendUnderTest(backend, backend, async () =>
        {
            await backend.StopAsync();
            await backend.DeleteTaskHubAsync();
        }));
    }

    protected override void ConfigureOptions(DurableTaskOptions options)
    {
        base.ConfigureOptions(options);
        // Azurite answers in about a millisecond; a slower idle poll keeps 2 cores free for the rest.
        options.StorageProvider.MaxQueuePollingInterval = TimeSpan.FromMilliseconds(50);
    }
}
