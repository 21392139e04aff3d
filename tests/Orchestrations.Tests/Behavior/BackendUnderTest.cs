using Serverless.Orchestrations.Backends;

namespace Serverless.Orchestrations.Tests.Behavior;

/// <summary>A fresh task hub for one test, and how to clean it up.</summary>
public sealed record BackendUnderTest(IOrchestrationBackend Backend, IOrchestrationQueryBackend Queries, Func<ValueTask>? Cleanup = null);
