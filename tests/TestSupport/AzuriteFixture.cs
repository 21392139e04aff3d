using Xunit;

namespace Serverless.TestSupport;

/// <summary>
/// xunit fixture (class or collection) holding one <see cref="AzuriteProcess"/> for the
/// tests that share it. Tests isolate themselves by container, queue or table names.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? azurite;

    /// <summary>The running emulator.</summary>
    public AzuriteProcess Azurite => azurite ?? throw new InvalidOperationException("Azurite is not started.");

    /// <summary>Connection string with explicit Blob, Queue and Table endpoints.</summary>
    public string ConnectionString => Azurite.ConnectionString;

    /// <inheritdoc/>
    public async Task InitializeAsync() => azurite = await AzuriteProcess.StartAsync().ConfigureAwait(false);

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        azurite?.Dispose();
        return Task.CompletedTask;
    }
}
