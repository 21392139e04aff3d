using Serverless.Storage;
using Serverless.TestSupport;

namespace Serverless.Orchestrations.Tests.Support;

/// <summary>A test class over a local result store (<see cref="Store"/>, the folder <c>out</c> of <see cref="Dir"/>) in a temporary folder of its own, removed after each test.</summary>
public abstract class LocalStoreTest : IDisposable
{
    protected LocalStoreTest(string prefix)
    {
        Dir = new TempDir(prefix);
        Store = ResultStoreFactory.Create(Dir.Combine("out"), new StorageConnections());
    }

    protected TempDir Dir { get; }

    protected IResultStore Store { get; }

    public void Dispose()
    {
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
