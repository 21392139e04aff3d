using Xunit;

namespace Serverless.TestSupport;

/// <summary>
/// xunit fixture (class or collection) holding one <see cref="S3rverProcess"/>. Tests
/// isolate themselves by bucket names (create them with the S3 client; 409 if it exists).
/// </summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    private S3rverProcess? s3rver;

    /// <summary>The running server.</summary>
    public S3rverProcess S3rver => s3rver ?? throw new InvalidOperationException("s3rver is not started.");

    /// <summary>The endpoint for the S3 client (path-style).</summary>
    public string ServiceUrl => S3rver.ServiceUrl;

    /// <summary>s3rver's access key.</summary>
    public string AccessKey => S3rverProcess.AccessKey;

    /// <summary>s3rver's secret key.</summary>
    public string SecretKey => S3rverProcess.SecretKey;

    /// <inheritdoc/>
    public async Task InitializeAsync() => s3rver = await S3rverProcess.StartAsync().ConfigureAwait(false);

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        s3rver?.Dispose();
        return Task.CompletedTask;
    }
}
