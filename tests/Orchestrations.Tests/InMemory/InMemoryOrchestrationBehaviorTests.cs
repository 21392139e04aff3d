using Serverless.Orchestrations.Backends.InMemory;
using Serverless.Orchestrations.Tests.Behavior;

namespace Serverless.Orchestrations.Tests.InMemory;

/// <summary>The behavioural suite on the in-memory backend.</summary>
public sealed partial class InMemoryOrchestrationBehaviorTests : OrchestrationBehaviorTests
{
    protected override Task<BackendUnderTest> CreateBackendAsync()
    {
        var backend = new InMemoryOrchestrationBackend();
        return Task.FromResult(new BackendUnderTest(backend, backend));
    }
}
