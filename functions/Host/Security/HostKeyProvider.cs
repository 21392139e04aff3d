using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Host.Hosting;
using Serverless.Api;
using Serverless.Jobs.Configuration;

namespace Serverless.Host.Security;

/// <summary>
/// Loads the host keys once per process. In order: keys given by configuration
/// (<c>SERVERLESS_MASTER_KEY</c>, <c>SERVERLESS_FUNCTION_KEY</c>, <c>keys:master</c>,
/// <c>keys:functions:{name}</c>, <c>SERVERLESS_FUNCTION_KEYS:{name}</c>); else the keys blob of the
/// task hub (created on first start, shared by every process on the hub). The log says where the
/// keys are, never what they are. A configured key that is short or a shipped placeholder
/// (<see cref="KeyPolicy"/>) stops the host at start, naming the setting.
/// </summary>
public sealed class HostKeyProvider(IConfiguration configuration, ILogger<HostKeyProvider> logger, TaskHubAccount? account = null)
{
    public const string MasterKeySetting = "SERVERLESS_MASTER_KEY";
    public const string FunctionKeySetting = "SERVERLESS_FUNCTION_KEY";

    private readonly SemaphoreSlim gate = new(1, 1);
    private HostKeys? keys;

    /// <summary>The keys, loading them on the first call; a failed load is retried on the next call.</summary>
    public async ValueTask<HostKeys> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref keys) is { } loaded)
            return loaded;
        await gate.WaitAsync(cancellationToken);
        try
        {
            return keys ??= await LoadAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<HostKeys> LoadAsync(CancellationToken cancellationToken)
    {
        var master = Checked(MasterKeySetting) ?? Checked("keys:master");
        var functions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Checked(FunctionKeySetting) is { } single)
            functions["default"] = single;
        foreach (var section in new[] { "keys:functions", "SERVERLESS_FUNCTION_KEYS" })
            foreach (var child in configuration.GetSection(section).GetChildren())
                if (!string.IsNullOrWhiteSpace(child.Value))
                    functions[child.Key] = Refused(child.Path, child.Value.Trim());

        if (master is not null || functions.Count > 0)
        {
            var fromConfiguration = new HostKeys(master, functions, "configuration");
            if (!fromConfiguration.HasMaster)
                logger.LogWarning("No master key is configured ({Setting}): admin endpoints (terminate, purge) refuse every key.", MasterKeySetting);
            logger.LogInformation("Host keys from configuration: master {Master}, function keys [{Names}].",
                fromConfiguration.HasMaster ? "set" : "not set", string.Join(", ", fromConfiguration.FunctionKeyNames));
            return fromConfiguration;
        }

        // The task hub's storage is always there (the host does not start without it), by connection string or identity.
        var blob = new SecretsBlob(account ?? TaskHubAccount.FromConfiguration(configuration), TaskHubSettings.HubName(configuration));
        var (storedMaster, storedFunctions, created) = await blob.ReadOrCreateAsync(cancellationToken);
        logger.LogInformation("Host keys {Action} the task hub's storage, blob {Location} (read the master key there, or set {Setting}).",
            created ? "generated and stored in" : "read from", blob.Location, MasterKeySetting);
        return new HostKeys(storedMaster, storedFunctions, $"blob {blob.Location}");
    }

    /// <summary>The key a setting holds, refused (the host does not start) when short or a placeholder.</summary>
    private string? Checked(string name) => Setting(name) is { } key ? Refused(name, key) : null;

    private static string Refused(string setting, string key) =>
        KeyPolicy.Problem(setting, key) is { } problem ? throw new InvalidOperationException(problem) : key;

    private string? Setting(string name) => string.IsNullOrWhiteSpace(configuration[name]) ? null : configuration[name]!.Trim();
}
