using Microsoft.Extensions.Hosting;

namespace Serverless.Host.Security;

/// <summary>Loads the host keys at start, so where they are is logged (or a generated key printed) before the first request.</summary>
internal sealed class HostKeysStartup(HostKeyProvider keys) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) => await keys.GetAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
